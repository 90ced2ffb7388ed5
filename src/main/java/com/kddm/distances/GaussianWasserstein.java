package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import com.kddm.distances.GaussianDivergence.Evaluation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Squared 2-Wasserstein distance between Gaussians fitted to the student's and the teacher's
 * batch: ‖μ_S − μ_T‖² + Tr(Σ_S + Σ_T − 2 (Σ_T^½ Σ_S Σ_T^½)^½), or ‖μ_S − μ_T‖² + ‖σ_S − σ_T‖²
 * with diagonal covariances.
 *
 * <p>Offered next to the empirical W2 because it needs no assignment and no equal batch sizes, and
 * it lower-bounds the empirical W2 (Gelbrich), which in turn lower-bounds the paired feature gap.
 */
public final class GaussianWasserstein implements FeatureDistance {

  private final Covariance covariance;
  private final double epsilon;

  GaussianWasserstein(Covariance covariance, double epsilon) {
    this.covariance = covariance;
    this.epsilon = epsilon;
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    return GaussianLoss.between(batch, covariance, epsilon, divergence(covariance));
  }

  static GaussianDivergence divergence(Covariance covariance) {
    return covariance == Covariance.FULL ? GaussianWasserstein::bures : GaussianWasserstein::diagonal;
  }

  /** ∂/∂Σ_S of the Bures term is I − Σ_T^½ A^-½ Σ_T^½ with A = Σ_T^½ Σ_S Σ_T^½. */
  static Evaluation bures(Gaussian s, Gaussian t) {
    int d = s.dimension();
    SymmetricEigen teacherEigen = SymmetricEigen.of(t.spread());
    double teacherFloor = teacherEigen.noiseFloor();
    DMatrixRMaj rootT = teacherEigen.map(v -> v > teacherFloor ? Math.sqrt(v) : 0);
    DMatrixRMaj a = product(rootT, s.spread(), rootT);
    SymmetricEigen aEigen = SymmetricEigen.of(a);
    double floor = aEigen.noiseFloor();
    double crossTrace = aEigen.sum(v -> v > floor ? Math.sqrt(v) : 0);
    // With ε = 0 and a singular A the derivative is unbounded; the pseudo-inverse root keeps it finite.
    DMatrixRMaj inverseRootA = aEigen.map(v -> v > floor ? 1 / Math.sqrt(v) : 0);
    DMatrixRMaj dSpread = product(rootT, inverseRootA, rootT);
    CommonOps_DDRM.scale(-1, dSpread);
    for (int k = 0; k < d; k++) {
      dSpread.add(k, k, 1);
    }
    double value = meanGap(s, t) + CommonOps_DDRM.trace(s.spread()) + CommonOps_DDRM.trace(t.spread()) - 2 * crossTrace;
    return new Evaluation(value, meanGradient(s, t), dSpread);
  }

  /** Per feature: (μ_S − μ_T)² + (σ_S − σ_T)²; ∂/∂σ²_S = 1 − σ_T/σ_S. */
  static Evaluation diagonal(Gaussian s, Gaussian t) {
    int d = s.dimension();
    double value = meanGap(s, t);
    DMatrixRMaj dSpread = new DMatrixRMaj(d, 1);
    for (int k = 0; k < d; k++) {
      double sigmaS = Math.sqrt(s.spread().data[k]);
      double sigmaT = Math.sqrt(t.spread().data[k]);
      value += (sigmaS - sigmaT) * (sigmaS - sigmaT);
      // At a zero variance (only with ε = 0) the derivative is unbounded; 0 keeps the optimiser finite.
      dSpread.data[k] = sigmaS > 0 ? 1 - sigmaT / sigmaS : 0;
    }
    return new Evaluation(value, meanGradient(s, t), dSpread);
  }

  private static double meanGap(Gaussian s, Gaussian t) {
    double sum = 0;
    for (int k = 0; k < s.dimension(); k++) {
      double diff = s.mean()[k] - t.mean()[k];
      sum += diff * diff;
    }
    return sum;
  }

  private static double[] meanGradient(Gaussian s, Gaussian t) {
    double[] out = new double[s.dimension()];
    for (int k = 0; k < out.length; k++) {
      out[k] = 2 * (s.mean()[k] - t.mean()[k]);
    }
    return out;
  }

  static DMatrixRMaj product(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
    DMatrixRMaj ab = new DMatrixRMaj(a.numRows, b.numCols);
    CommonOps_DDRM.mult(a, b, ab);
    DMatrixRMaj out = new DMatrixRMaj(a.numRows, c.numCols);
    CommonOps_DDRM.mult(ab, c, out);
    return out;
  }
}
