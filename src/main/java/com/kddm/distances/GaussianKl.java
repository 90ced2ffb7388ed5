package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import com.kddm.distances.DistanceParameters.Definition;
import com.kddm.distances.GaussianDivergence.Evaluation;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Kullback–Leibler divergence between Gaussians fitted to each batch,
 * KL(p‖q) = ½[Tr(Σ_q⁻¹Σ_p) + (μ_q − μ_p)ᵀΣ_q⁻¹(μ_q − μ_p) − d + ln(det Σ_q / det Σ_p)].
 *
 * <p>KL(student‖teacher) is the reference code's direction; KL is asymmetric, so the other one is
 * an option. ε is added to every variance because post-ReLU features often have units that never
 * fire in a batch, and then neither the inverse nor the log-determinant exists.
 */
public final class GaussianKl implements FeatureDistance {

  enum Direction {
    STUDENT_TEACHER,
    TEACHER_STUDENT;

    static Direction of(String id) {
      return id.equals("teacher-student") ? TEACHER_STUDENT : STUDENT_TEACHER;
    }

    static Definition definition() {
      return Definition.choice("direction", "student-teacher", List.of("student-teacher", "teacher-student"),
          "student-teacher: KL(student ‖ teacher), as the reference code; teacher-student: KL(teacher ‖ student)");
    }
  }

  private final Covariance covariance;
  private final double epsilon;
  private final Direction direction;

  GaussianKl(Covariance covariance, double epsilon, Direction direction) {
    this.covariance = covariance;
    this.epsilon = epsilon;
    this.direction = direction;
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    boolean full = covariance == Covariance.FULL;
    GaussianDivergence kl = direction == Direction.STUDENT_TEACHER
        ? (s, t) -> full ? full(s, t, true) : diagonal(s, t, true)
        : (s, t) -> full ? full(t, s, false) : diagonal(t, s, false);
    return GaussianLoss.between(batch, covariance, epsilon, kl);
  }

  /** KL(p‖q), with the gradient with respect to p's statistics when the student is p, else q's. */
  static Evaluation full(Gaussian p, Gaussian q, boolean studentIsP) {
    int d = p.dimension();
    SymmetricEigen pEigen = invertible(SymmetricEigen.of(p.spread()));
    SymmetricEigen qEigen = invertible(SymmetricEigen.of(q.spread()));
    DMatrixRMaj qInverse = qEigen.map(v -> 1 / v);
    DMatrixRMaj diff = new DMatrixRMaj(d, 1, true, difference(q, p));
    DMatrixRMaj qInverseDiff = new DMatrixRMaj(d, 1);
    CommonOps_DDRM.mult(qInverse, diff, qInverseDiff);
    DMatrixRMaj qInverseP = new DMatrixRMaj(d, d);
    CommonOps_DDRM.mult(qInverse, p.spread(), qInverseP);
    double value = 0.5 * (CommonOps_DDRM.trace(qInverseP) + CommonOps_DDRM.dot(diff, qInverseDiff) - d
        + qEigen.sum(Math::log) - pEigen.sum(Math::log));
    DMatrixRMaj dSpread;
    double[] dMean = qInverseDiff.data.clone();
    if (studentIsP) {
      // ½(Σ_q⁻¹ − Σ_p⁻¹); ∂/∂μ_p = −Σ_q⁻¹(μ_q − μ_p)
      dSpread = pEigen.map(v -> -1 / v);
      CommonOps_DDRM.addEquals(dSpread, qInverse);
      for (int k = 0; k < d; k++) {
        dMean[k] = -dMean[k];
      }
    } else {
      // ½(Σ_q⁻¹ − Σ_q⁻¹ Σ_p Σ_q⁻¹ − Σ_q⁻¹δ δᵀΣ_q⁻¹); ∂/∂μ_q = Σ_q⁻¹ δ, δ = μ_q − μ_p
      dSpread = qInverse.copy();
      DMatrixRMaj sandwich = new DMatrixRMaj(d, d);
      CommonOps_DDRM.mult(qInverseP, qInverse, sandwich);
      CommonOps_DDRM.subtractEquals(dSpread, sandwich);
      DMatrixRMaj outer = new DMatrixRMaj(d, d);
      CommonOps_DDRM.multTransB(qInverseDiff, qInverseDiff, outer);
      CommonOps_DDRM.subtractEquals(dSpread, outer);
    }
    CommonOps_DDRM.scale(0.5, dSpread);
    return new Evaluation(value, dMean, dSpread);
  }

  /** The same per feature, with variances in place of covariance matrices. */
  static Evaluation diagonal(Gaussian p, Gaussian q, boolean studentIsP) {
    int d = p.dimension();
    double[] vp = p.spread().data;
    double[] vq = q.spread().data;
    double[] diff = difference(q, p);
    double value = 0;
    double[] dMean = new double[d];
    DMatrixRMaj dSpread = new DMatrixRMaj(d, 1);
    for (int k = 0; k < d; k++) {
      if (!(vp[k] > 0 && vq[k] > 0)) {
        throw singular();
      }
      double squared = diff[k] * diff[k];
      value += 0.5 * (vp[k] / vq[k] + squared / vq[k] - 1 + Math.log(vq[k]) - Math.log(vp[k]));
      if (studentIsP) {
        dMean[k] = -diff[k] / vq[k];
        dSpread.data[k] = 0.5 * (1 / vq[k] - 1 / vp[k]);
      } else {
        dMean[k] = diff[k] / vq[k];
        dSpread.data[k] = 0.5 * (1 / vq[k] - (vp[k] + squared) / (vq[k] * vq[k]));
      }
    }
    return new Evaluation(value, dMean, dSpread);
  }

  private static double[] difference(Gaussian a, Gaussian b) {
    double[] out = new double[a.dimension()];
    for (int k = 0; k < out.length; k++) {
      out[k] = a.mean()[k] - b.mean()[k];
    }
    return out;
  }

  private static SymmetricEigen invertible(SymmetricEigen eigen) {
    if (!(eigen.smallest() > eigen.noiseFloor())) {
      throw singular();
    }
    return eigen;
  }

  private static ArithmeticException singular() {
    return new ArithmeticException("gaussian-kl: a covariance is singular (a feature without variance, "
        + "or fewer samples than features); use epsilon > 0");
  }
}
