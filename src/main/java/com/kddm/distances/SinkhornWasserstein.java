package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Entropic optimal transport between two empirical distributions with uniform weights: the
 * second solver of {@code w2}, the GPU-friendly alternative to the exact plan for large batches.
 *
 * <p>The plan is computed without gradient by Sinkhorn iterations in the log domain, with NDArray
 * operations only, so it runs on the arrays' device. The squared Euclidean cost is first divided
 * by its (detached) largest entry, so {@code epsilon} is relative to the batch's largest squared
 * distance and one value suits features of any scale and width; the plan is that of POT's
 * {@code ot.sinkhorn(a, b, C / max C, epsilon, method="sinkhorn_log")} after exactly
 * {@code iterations} iterations (each updates the column potential, then the row potential, as POT
 * does; there is no early stop, which would need a device-to-host copy per check). The loss is
 * Σ π·C with the raw cost C, differentiable through C only. The result is at least the exact W2
 * once the plan has converged, and tends to it as {@code epsilon} shrinks.
 */
public final class SinkhornWasserstein implements FeatureDistance {

  private final double epsilon;
  private final int iterations;

  /**
   * @param epsilon entropic regularisation relative to the largest squared distance, &gt; 0
   * @param iterations Sinkhorn iterations, ≥ 1
   */
  public SinkhornWasserstein(double epsilon, int iterations) {
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be a positive number, got " + epsilon);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1, got " + iterations);
    }
    this.epsilon = epsilon;
    this.iterations = iterations;
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    return between(batch.studentFeatures(), batch.teacherFeatures());
  }

  public NDArray between(NDArray student, NDArray teacher) {
    if (student.getShape().get(1) != teacher.getShape().get(1)) {
      throw new IllegalArgumentException(
          "feature sizes differ: student " + student.getShape() + ", teacher " + teacher.getShape());
    }
    NDArray cost = Pairwise.squaredDistances(student, teacher);
    NDArray plan = plan(cost.stopGradient());
    return plan.mul(cost).sum();
  }

  /** The entropic plan for a (detached) cost matrix, n × m, with marginals 1/n and 1/m. */
  NDArray plan(NDArray cost) {
    long n = cost.getShape().get(0);
    long m = cost.getShape().get(1);
    double largest = cost.max().toType(DataType.FLOAT64, false).getDouble();
    if (!(largest > 0)) {
      // Every pair coincides: every coupling costs 0; take the independent one.
      return cost.zerosLike().add(1.0 / (n * m));
    }
    double logA = -Math.log(n);
    double logB = -Math.log(m);
    NDArray logKernel = cost.div(-epsilon * largest);
    NDArray u = cost.getManager().zeros(new Shape(n, 1), cost.getDataType(), cost.getDevice());
    NDArray v = null;
    for (int it = 0; it < iterations; it++) {
      if (v != null) {
        v.close();
      }
      try (NDArray shifted = logKernel.add(u); NDArray lse = Pairwise.logSumExp(shifted, 0); NDArray neg = lse.neg()) {
        v = neg.add(logB);
      }
      u.close();
      try (NDArray shifted = logKernel.add(v); NDArray lse = Pairwise.logSumExp(shifted, 1); NDArray neg = lse.neg()) {
        u = neg.add(logA);
      }
    }
    try (NDArray withU = logKernel.add(u); NDArray logPlan = withU.add(v)) {
      return logPlan.exp();
    } finally {
      logKernel.close();
      u.close();
      v.close();
    }
  }

  double epsilon() {
    return epsilon;
  }

  int iterations() {
    return iterations;
  }
}
