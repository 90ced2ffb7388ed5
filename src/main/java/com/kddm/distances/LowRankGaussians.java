package com.kddm.distances;

import com.kddm.distances.GaussianDivergence.Evaluation;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Evaluates a full-covariance divergence in the subspace the two batches actually span.
 *
 * <p>With n rows a fitted covariance is CᵀC/n + ε·I with rank(CᵀC) &lt; n, so when n_S + n_T is
 * well below d both Gaussians are ε·I on the complement of Q = span(student rows, teacher rows,
 * μ_S − μ_T). Both spreads are then block-diagonal in [Q, Q⊥] with equal ε·I blocks on Q⊥, the
 * divergences of KDDM split into a sum over the blocks, and the Q⊥ block contributes (d − k) times
 * the divergence of two equal one-dimensional N(0, ε): zero value, and a constant c times I in the
 * gradient. The eigen-decompositions shrink from d×d to k×k, k = n_S + n_T + 1: per class for the
 * class-conditional distance that is a few dozen instead of hundreds.
 */
final class LowRankGaussians {

  private LowRankGaussians() {}

  static Evaluation evaluate(GaussianDivergence divergence, double[] student, int[] studentRows, double[] teacher,
      int[] teacherRows, int d, Covariance covariance, double epsilon) {
    int k = studentRows.length + teacherRows.length + 1;
    // With ε = 0 the blocks on Q⊥ are singular and the divergences' conventions there (pseudo-inverses)
    // decide the gradient; and when k is near d the reduction only adds work.
    if (covariance != Covariance.FULL || !(epsilon > 0) || 4 * k > 3 * d) {
      return divergence.evaluate(Gaussian.fit(student, d, studentRows, covariance, epsilon),
          Gaussian.fit(teacher, d, teacherRows, covariance, epsilon));
    }
    double[] studentMean = mean(student, d, studentRows);
    double[] teacherMean = mean(teacher, d, teacherRows);
    DMatrixRMaj basis = basis(student, studentRows, studentMean, teacher, teacherRows, teacherMean, d, k);
    k = basis.numCols;
    Evaluation reduced = divergence.evaluate(
        project(student, studentRows, studentMean, basis, epsilon), project(teacher, teacherRows, teacherMean, basis, epsilon));
    Gaussian flat = new Gaussian(new double[1], new DMatrixRMaj(1, 1, true, epsilon));
    Evaluation complement = divergence.evaluate(flat, flat);
    double c = complement.dSpread().data[0];

    double[] dMean = new double[d];
    CommonOps_DDRM.mult(basis, DMatrixRMaj.wrap(k, 1, reduced.dMean()), DMatrixRMaj.wrap(d, 1, dMean));
    // ∂/∂Σ = Q (G − c·I) Qᵀ + c·I.
    DMatrixRMaj g = reduced.dSpread().copy();
    for (int i = 0; i < k; i++) {
      g.add(i, i, -c);
    }
    DMatrixRMaj qg = new DMatrixRMaj(d, k);
    CommonOps_DDRM.mult(basis, g, qg);
    DMatrixRMaj dSpread = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(qg, basis, dSpread);
    for (int i = 0; i < d; i++) {
      dSpread.add(i, i, c);
    }
    return new Evaluation(reduced.value() + (d - k) * complement.value(), dMean, dSpread);
  }

  /** An orthonormal d×k basis whose span holds every centred row of both sides and the mean gap. */
  private static DMatrixRMaj basis(double[] student, int[] studentRows, double[] studentMean, double[] teacher,
      int[] teacherRows, double[] teacherMean, int d, int k) {
    DMatrixRMaj columns = new DMatrixRMaj(d, k);
    int column = 0;
    for (int r : studentRows) {
      for (int i = 0; i < d; i++) {
        columns.unsafe_set(i, column, student[r * d + i] - studentMean[i]);
      }
      column++;
    }
    for (int r : teacherRows) {
      for (int i = 0; i < d; i++) {
        columns.unsafe_set(i, column, teacher[r * d + i] - teacherMean[i]);
      }
      column++;
    }
    for (int i = 0; i < d; i++) {
      columns.unsafe_set(i, column, studentMean[i] - teacherMean[i]);
    }
    return orthonormalColumns(columns);
  }

  /**
   * An orthonormal basis of the columns' span by Gram–Schmidt, orthogonalising twice (which keeps
   * the basis orthonormal to rounding), dropping columns that add no direction: centring makes the
   * rows dependent, and a class of one sample centres to zero.
   */
  static DMatrixRMaj orthonormalColumns(DMatrixRMaj columns) {
    int d = columns.numRows;
    int k = columns.numCols;
    double largest = 0;
    for (int j = 0; j < k; j++) {
      largest = Math.max(largest, norm(columns, j));
    }
    double negligible = largest * 1e-10;
    DMatrixRMaj basis = new DMatrixRMaj(d, k);
    int rank = 0;
    double[] v = new double[d];
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < d; i++) {
        v[i] = columns.unsafe_get(i, j);
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int b = 0; b < rank; b++) {
          double dot = 0;
          for (int i = 0; i < d; i++) {
            dot += basis.unsafe_get(i, b) * v[i];
          }
          for (int i = 0; i < d; i++) {
            v[i] -= dot * basis.unsafe_get(i, b);
          }
        }
      }
      double length = 0;
      for (double x : v) {
        length += x * x;
      }
      length = Math.sqrt(length);
      if (length > negligible && length > 0) {
        for (int i = 0; i < d; i++) {
          basis.unsafe_set(i, rank, v[i] / length);
        }
        rank++;
      }
    }
    if (rank == 0) {
      // Every row equal on both sides: any one direction will do, the spreads are ε·I everywhere.
      basis.unsafe_set(0, 0, 1);
      rank = 1;
    }
    DMatrixRMaj out = new DMatrixRMaj(d, rank);
    CommonOps_DDRM.extract(basis, 0, d, 0, rank, out, 0, 0);
    return out;
  }

  private static double norm(DMatrixRMaj m, int column) {
    double sum = 0;
    for (int i = 0; i < m.numRows; i++) {
      sum += m.unsafe_get(i, column) * m.unsafe_get(i, column);
    }
    return Math.sqrt(sum);
  }

  /** The Gaussian of the rows in the basis' coordinates: mean Qᵀμ, spread (CQ)ᵀ(CQ)/n + ε·I. */
  private static Gaussian project(double[] x, int[] rows, double[] mean, DMatrixRMaj basis, double epsilon) {
    int d = basis.numRows;
    int k = basis.numCols;
    int n = rows.length;
    DMatrixRMaj centred = new DMatrixRMaj(n, d);
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < d; i++) {
        centred.unsafe_set(j, i, x[rows[j] * d + i] - mean[i]);
      }
    }
    DMatrixRMaj coordinates = new DMatrixRMaj(n, k);
    CommonOps_DDRM.mult(centred, basis, coordinates);
    DMatrixRMaj spread = new DMatrixRMaj(k, k);
    CommonOps_DDRM.multTransA(coordinates, coordinates, spread);
    CommonOps_DDRM.scale(1.0 / n, spread);
    for (int i = 0; i < k; i++) {
      spread.add(i, i, epsilon);
    }
    double[] projectedMean = new double[k];
    CommonOps_DDRM.multTransA(basis, DMatrixRMaj.wrap(d, 1, mean), DMatrixRMaj.wrap(k, 1, projectedMean));
    return new Gaussian(projectedMean, spread);
  }

  private static double[] mean(double[] x, int d, int[] rows) {
    double[] mean = new double[d];
    for (int r : rows) {
      for (int i = 0; i < d; i++) {
        mean[i] += x[r * d + i];
      }
    }
    for (int i = 0; i < d; i++) {
      mean[i] /= rows.length;
    }
    return mean;
  }
}
