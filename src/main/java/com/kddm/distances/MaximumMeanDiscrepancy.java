package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Squared maximum mean discrepancy between student and teacher features, biased V-statistic (as
 * the method's reference code): mean K(S,S) + mean K(T,T) − 2 mean K(S,T), diagonals included.
 *
 * <p>Kernels: {@link Kernel#LINEAR} xᵀy (the value is then ‖mean zS − mean zT‖², computed so);
 * {@link Kernel#POLYNOMIAL} (xᵀy + c)^p, the kernel of neuron selectivity transfer (Huang &amp; Wang
 * 2017, p = 2, c = 0), here on the features as given; {@link Kernel#GAUSSIAN}
 * exp(−‖x−y‖²/(2σ²)) with σ² the median (or mean) squared distance over the distinct pairs of the
 * pooled batch (2n points, n(2n−1) pairs), detached; σ² = 1 if that is 0 (the pooled points
 * mostly coincide).
 */
public final class MaximumMeanDiscrepancy implements FeatureDistance {

  /** The kernel k(x, y). */
  public enum Kernel {
    LINEAR,
    POLYNOMIAL,
    GAUSSIAN;

    static Kernel named(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /** How the Gaussian kernel's σ² is set from the pooled pairwise squared distances. */
  public enum Bandwidth {
    MEDIAN,
    MEAN;

    static Bandwidth named(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  private final Kernel kernel;
  private final int degree;
  private final double offset;
  private final Bandwidth bandwidth;

  /**
   * @param degree polynomial degree p, ≥ 1 (polynomial kernel only)
   * @param offset polynomial offset c, ≥ 0 (polynomial kernel only)
   * @param bandwidth how σ² is chosen (Gaussian kernel only)
   */
  public MaximumMeanDiscrepancy(Kernel kernel, int degree, double offset, Bandwidth bandwidth) {
    if (degree < 1) {
      throw new IllegalArgumentException("degree must be at least 1, got " + degree);
    }
    if (!(offset >= 0) || !Double.isFinite(offset)) {
      throw new IllegalArgumentException("offset must be a non-negative number, got " + offset);
    }
    this.kernel = Objects.requireNonNull(kernel);
    this.degree = degree;
    this.offset = offset;
    this.bandwidth = Objects.requireNonNull(bandwidth);
  }

  public static MaximumMeanDiscrepancy linear() {
    return new MaximumMeanDiscrepancy(Kernel.LINEAR, 1, 0, Bandwidth.MEDIAN);
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    NDArray student = batch.studentFeatures();
    NDArray teacher = batch.teacherFeatures();
    Pairwise.requireSameShape("features", student, teacher);
    return switch (kernel) {
      case LINEAR -> student.mean(new int[] {0}).sub(teacher.mean(new int[] {0})).square().sum();
      case POLYNOMIAL -> vStatistic(polynomial(student, student), polynomial(teacher, teacher), polynomial(student, teacher));
      case GAUSSIAN -> gaussian(student, teacher, sigmaSquared(student, teacher));
    };
  }

  private NDArray polynomial(NDArray a, NDArray b) {
    NDArray dot = a.matMul(b.transpose());
    return (offset == 0 ? dot : dot.add(offset)).pow(degree);
  }

  /** The Gaussian-kernel value for a given σ² (the detached part of the loss). */
  NDArray gaussian(NDArray student, NDArray teacher, double sigmaSquared) {
    double scale = -1 / (2 * sigmaSquared);
    return vStatistic(
        Pairwise.squaredDistances(student, student).mul(scale).exp(),
        Pairwise.squaredDistances(teacher, teacher).mul(scale).exp(),
        Pairwise.squaredDistances(student, teacher).mul(scale).exp());
  }

  private static NDArray vStatistic(NDArray kss, NDArray ktt, NDArray kst) {
    NDArray cross = kst.mean();
    // No scalar literal on 0-d arrays: a Java double there would promote float32 to float64.
    return kss.mean().add(ktt.mean()).sub(cross).sub(cross);
  }

  /** σ² from the detached pooled batch. */
  double sigmaSquared(NDArray student, NDArray teacher) {
    NDArray pooled = student.stopGradient().concat(teacher.stopGradient(), 0);
    int m = (int) pooled.getShape().get(0);
    double[] all = Pairwise.hostDoubles(Pairwise.squaredDistances(pooled, pooled));
    double[] pairs = new double[m * (m - 1) / 2];
    int p = 0;
    for (int i = 0; i < m; i++) {
      for (int j = i + 1; j < m; j++) {
        pairs[p++] = all[i * m + j];
      }
    }
    double value;
    if (bandwidth == Bandwidth.MEAN) {
      value = Arrays.stream(pairs).sum() / pairs.length;
    } else {
      Arrays.sort(pairs);
      int half = pairs.length / 2;
      value = pairs.length % 2 == 1 ? pairs[half] : (pairs[half - 1] + pairs[half]) / 2;
    }
    return value > 0 ? value : 1;
  }

  Kernel kernel() {
    return kernel;
  }
}
