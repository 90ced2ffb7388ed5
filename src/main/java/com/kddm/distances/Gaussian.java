package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.ejml.data.DMatrixRMaj;

/**
 * A Gaussian fitted to some rows of a batch, in double precision: the mean and either the
 * population (1/n) covariance + ε·I (d×d) or the variances + ε (d×1).
 *
 * <p>The distances' values are computed from these, never from the input's dtype, so that float32
 * features lose nothing to cancellation in terms such as Tr Σ_S + Tr Σ_T − 2 Tr(…)^½.
 */
record Gaussian(double[] mean, DMatrixRMaj spread) {

  static Gaussian fit(double[] x, int d, int[] rows, Covariance covariance, double epsilon) {
    int n = rows.length;
    double[] mean = new double[d];
    for (int r : rows) {
      for (int k = 0; k < d; k++) {
        mean[k] += x[r * d + k];
      }
    }
    for (int k = 0; k < d; k++) {
      mean[k] /= n;
    }
    DMatrixRMaj spread = covariance == Covariance.FULL ? new DMatrixRMaj(d, d) : new DMatrixRMaj(d, 1);
    double[] centred = new double[d];
    for (int r : rows) {
      for (int k = 0; k < d; k++) {
        centred[k] = x[r * d + k] - mean[k];
      }
      if (covariance == Covariance.FULL) {
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < d; j++) {
            spread.data[i * d + j] += centred[i] * centred[j];
          }
        }
      } else {
        for (int k = 0; k < d; k++) {
          spread.data[k] += centred[k] * centred[k];
        }
      }
    }
    for (int i = 0; i < spread.data.length; i++) {
      spread.data[i] /= n;
    }
    for (int k = 0; k < d; k++) {
      spread.data[covariance == Covariance.FULL ? k * d + k : k] += epsilon;
    }
    return new Gaussian(mean, spread);
  }

  int dimension() {
    return mean.length;
  }

  static double[] doubles(NDArray array) {
    return array.getDataType() == DataType.FLOAT64
        ? array.toDoubleArray()
        : array.toType(DataType.FLOAT64, false).toDoubleArray();
  }

  static int[] allRows(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }
}
