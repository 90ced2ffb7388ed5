package com.kddm.distances;

import java.util.function.DoubleUnaryOperator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Eigen-decomposition of a symmetric matrix, in double precision.
 *
 * <p>DJL has no decompositions, and every Gaussian distance needs functions of covariance
 * matrices (square roots, inverses, log-determinants); applying a scalar function to the
 * eigenvalues of a symmetric matrix gives all of them with one tool.
 */
final class SymmetricEigen {

  private final double[] values;
  private final DMatrixRMaj vectors;

  private SymmetricEigen(double[] values, DMatrixRMaj vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  static SymmetricEigen of(DMatrixRMaj matrix) {
    int d = matrix.numRows;
    DMatrixRMaj symmetric = new DMatrixRMaj(d, d);
    // Rounding makes products such as T½ S T½ slightly asymmetric; decompose their symmetric part.
    CommonOps_DDRM.transpose(matrix, symmetric);
    CommonOps_DDRM.addEquals(symmetric, matrix);
    CommonOps_DDRM.scale(0.5, symmetric);
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eig.decompose(symmetric)) {
      throw new ArithmeticException("eigen-decomposition of a " + d + "x" + d + " covariance did not converge");
    }
    double[] values = new double[d];
    DMatrixRMaj vectors = new DMatrixRMaj(d, d);
    for (int i = 0; i < d; i++) {
      values[i] = eig.getEigenvalue(i).real;
      CommonOps_DDRM.insert(eig.getEigenVector(i), vectors, 0, i);
    }
    return new SymmetricEigen(values, vectors);
  }

  /** V f(Λ) Vᵀ. */
  DMatrixRMaj map(DoubleUnaryOperator f) {
    int d = values.length;
    DMatrixRMaj scaled = vectors.copy();
    for (int j = 0; j < d; j++) {
      double fj = f.applyAsDouble(values[j]);
      for (int i = 0; i < d; i++) {
        scaled.unsafe_set(i, j, scaled.unsafe_get(i, j) * fj);
      }
    }
    DMatrixRMaj out = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(scaled, vectors, out);
    return out;
  }

  /** Σ f(λ), e.g. the trace of a matrix function. */
  double sum(DoubleUnaryOperator f) {
    double total = 0;
    for (double v : values) {
      total += f.applyAsDouble(v);
    }
    return total;
  }

  double smallest() {
    double min = Double.POSITIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
    }
    return min;
  }

  /**
   * Eigenvalues below this are rounding noise of the decomposition, i.e. zero: a positive
   * semi-definite matrix can come back with tiny negative or positive values in its null space.
   */
  double noiseFloor() {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max * values.length * Math.ulp(1.0);
  }
}
