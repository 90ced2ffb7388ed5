package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.kddm.distances.GaussianDivergence.Evaluation;

/**
 * Turns a value computed in double precision off the autograd graph into a training loss with
 * the exact gradient.
 *
 * <p>The student's mean and spread are recomputed from its features with NDArray ops, and the
 * loss is value + ⟨∂value/∂μ, μ − sg(μ)⟩ + ⟨∂value/∂Σ, Σ − sg(Σ)⟩, sg = stop-gradient. This equals
 * "surrogate + (value − surrogate.detached)" but the linear terms are exactly zero in the forward
 * pass, so a large gradient cannot cost the value float32 digits.
 */
final class GaussianLoss {

  private GaussianLoss() {}

  /** The distance between Gaussians fitted to the whole of each batch. */
  static NDArray between(FeatureBatch batch, Covariance covariance, double epsilon, GaussianDivergence divergence) {
    NDArray student = batch.studentFeatures();
    NDArray teacher = batch.teacherFeatures();
    int d = checkedWidth(student, teacher);
    Evaluation evaluation = LowRankGaussians.evaluate(divergence, Gaussian.doubles(student), Gaussian.allRows(rows(student)),
        Gaussian.doubles(teacher), Gaussian.allRows(rows(teacher)), d, covariance, epsilon);
    return withValue(surrogate(student, covariance, evaluation, 1), evaluation.value());
  }

  /**
   * A scalar equal to zero whose gradient with respect to {@code studentRows} is
   * {@code weight} times that of the evaluated divergence.
   */
  static NDArray surrogate(NDArray studentRows, Covariance covariance, Evaluation evaluation, double weight) {
    long n = studentRows.getShape().get(0);
    NDArray mean = studentRows.mean(new int[] {0});
    NDArray centred = studentRows.sub(mean);
    NDArray meanTerm = linear(mean, evaluation.dMean(), weight);
    if (covariance == Covariance.FULL) {
      // Σ = CᵀC / n: fold the 1/n into the coefficients rather than divide a float32 array by a double.
      NDArray scatter = centred.transpose().matMul(centred);
      return meanTerm.add(linear(scatter, evaluation.dSpread().data, weight / n));
    }
    NDArray variance = centred.square().mean(new int[] {0});
    return meanTerm.add(linear(variance, evaluation.dSpread().data, weight));
  }

  static NDArray withValue(NDArray surrogate, double value) {
    NDManager manager = surrogate.getManager();
    return surrogate.add(manager.create(value).toType(surrogate.getDataType(), false));
  }

  private static NDArray linear(NDArray statistic, double[] gradient, double scale) {
    double[] scaled = new double[gradient.length];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = gradient[i] * scale;
    }
    NDManager manager = statistic.getManager();
    DataType type = statistic.getDataType();
    NDArray coefficients = manager.create(scaled, new Shape(statistic.getShape().getShape())).toType(type, false);
    return statistic.sub(statistic.stopGradient()).mul(coefficients).sum();
  }

  static int checkedWidth(NDArray student, NDArray teacher) {
    if (student.getShape().dimension() != 2 || teacher.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          "features must be n × d, got student " + student.getShape() + ", teacher " + teacher.getShape());
    }
    if (student.getShape().get(1) != teacher.getShape().get(1)) {
      throw new IllegalArgumentException(
          "feature sizes differ: student " + student.getShape() + ", teacher " + teacher.getShape());
    }
    if (rows(student) == 0 || rows(teacher) == 0) {
      throw new IllegalArgumentException("a Gaussian needs at least one sample on each side");
    }
    return (int) student.getShape().get(1);
  }

  static int rows(NDArray features) {
    return (int) features.getShape().get(0);
  }
}
