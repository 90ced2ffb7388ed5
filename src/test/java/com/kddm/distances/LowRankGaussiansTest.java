package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.distances.GaussianDivergence.Evaluation;
import java.util.Random;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The subspace evaluation gives the full d×d evaluation's value and gradients, to rounding. */
class LowRankGaussiansTest {

  static Stream<Arguments> cases() {
    GaussianDivergence bures = GaussianWasserstein::bures;
    GaussianDivergence klStudentTeacher = (s, t) -> GaussianKl.full(s, t, true);
    GaussianDivergence klTeacherStudent = (s, t) -> GaussianKl.full(t, s, false);
    return Stream.of(
        // At ε = 1e-6 the full evaluation itself loses digits in the gradient (A's eigenvalues reach ε²),
        // so the cases compare where the full one is accurate; finite differences check the rest.
        Arguments.of("bures", bures, 6, 5, 40, 1e-3),
        Arguments.of("bures", bures, 4, 4, 20, 1e-2),
        Arguments.of("kl(s||t)", klStudentTeacher, 4, 4, 20, 1e-1),
        Arguments.of("bures", bures, 6, 6, 40, 1e-2),
        Arguments.of("bures, a class of one", bures, 1, 1, 30, 1e-6),
        Arguments.of("kl(s||t)", klStudentTeacher, 6, 6, 40, 1e-4),
        Arguments.of("kl(t||s)", klTeacherStudent, 7, 4, 40, 1e-2));
  }

  @ParameterizedTest(name = "{0}: n_S={2}, n_T={3}, d={4}, eps={5}")
  @MethodSource("cases")
  void agreesWithTheFullEvaluation(String name, GaussianDivergence divergence, int ns, int nt, int d, double epsilon) {
    Random random = new Random(ns * 31L + nt);
    double[] s = new double[ns * d];
    double[] t = new double[nt * d];
    for (int i = 0; i < s.length; i++) {
      s[i] = random.nextGaussian() + (i % d < 3 ? 1.5 : 0);
    }
    for (int i = 0; i < t.length; i++) {
      t[i] = 2 * random.nextGaussian();
    }
    int[] sRows = Gaussian.allRows(ns);
    int[] tRows = Gaussian.allRows(nt);
    Evaluation full = divergence.evaluate(Gaussian.fit(s, d, sRows, Covariance.FULL, epsilon),
        Gaussian.fit(t, d, tRows, Covariance.FULL, epsilon));
    Evaluation reduced = LowRankGaussians.evaluate(divergence, s, sRows, t, tRows, d, Covariance.FULL, epsilon);

    assertThat(Math.abs(reduced.value() - full.value()) / Math.abs(full.value())).isLessThan(1e-9);
    assertThat(maxDifference(reduced.dMean(), full.dMean())).isLessThan(1e-8 * maxAbs(full.dMean()));
    assertThat(maxDifference(reduced.dSpread().data, full.dSpread().data))
        .isLessThan(1e-7 * Math.max(1, maxAbs(full.dSpread().data)));
  }

  @ParameterizedTest(name = "{0} columns of {1}")
  @MethodSource("dependentColumns")
  void theBasisIsOrthonormalAndSpansEveryColumn(int k, int d) {
    Random random = new Random(k);
    DMatrixRMaj columns = new DMatrixRMaj(d, k);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < k - 1; j++) {
        columns.set(i, j, random.nextGaussian());
      }
      columns.set(i, k - 1, columns.get(i, 0) - columns.get(i, 1)); // dependent on the first two
    }
    DMatrixRMaj q = LowRankGaussians.orthonormalColumns(columns);
    assertThat(q.numCols).isEqualTo(k - 1);
    DMatrixRMaj gram = new DMatrixRMaj(q.numCols, q.numCols);
    CommonOps_DDRM.multTransA(q, q, gram);
    assertThat(CommonOps_DDRM.identity(q.numCols).data).containsExactly(gram.data, org.assertj.core.data.Offset.offset(1e-12));
    DMatrixRMaj projected = new DMatrixRMaj(d, k);
    DMatrixRMaj coordinates = new DMatrixRMaj(q.numCols, k);
    CommonOps_DDRM.multTransA(q, columns, coordinates);
    CommonOps_DDRM.mult(q, coordinates, projected);
    assertThat(maxDifference(projected.data, columns.data)).isLessThan(1e-10);
  }

  static Stream<Arguments> dependentColumns() {
    return Stream.of(Arguments.of(3, 10), Arguments.of(12, 50));
  }

  private static double maxDifference(double[] a, double[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static double maxAbs(double[] a) {
    double max = 0;
    for (double v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
