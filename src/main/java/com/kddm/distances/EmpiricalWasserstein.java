package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * Squared 2-Wasserstein distance between two empirical distributions with uniform weights and
 * equal sizes, with the exact optimal plan.
 *
 * <p>With n points on each side an optimal plan is a permutation divided by n, so the plan comes
 * from a linear assignment on the squared Euclidean cost. The plan is computed without gradient
 * (on a detached copy, in double precision) and the loss is Σ π*·C, so the gradient flows through
 * the cost only, as in the method's reference code.
 */
public final class EmpiricalWasserstein implements FeatureDistance {

  @Override
  public NDArray between(FeatureBatch batch) {
    return between(batch.studentFeatures(), batch.teacherFeatures());
  }

  public NDArray between(NDArray student, NDArray teacher) {
    long n = student.getShape().get(0);
    if (teacher.getShape().get(0) != n) {
      throw new IllegalArgumentException(
          "exact W2 needs equal batch sizes, got " + n + " and " + teacher.getShape().get(0));
    }
    if (student.getShape().get(1) != teacher.getShape().get(1)) {
      throw new IllegalArgumentException(
          "feature sizes differ: student " + student.getShape() + ", teacher " + teacher.getShape());
    }
    return Pairwise.matchedSquaredDistances(student, teacher, optimalMatch(student, teacher)).mean();
  }

  /** Row i of the student is transported to row {@code match[i]} of the teacher. */
  static int[] optimalMatch(NDArray student, NDArray teacher) {
    int n = (int) student.getShape().get(0);
    int d = (int) student.getShape().get(1);
    return LinearAssignment.solve(squaredDistances(Pairwise.hostDoubles(student), Pairwise.hostDoubles(teacher), n, d));
  }

  static double[][] squaredDistances(double[] a, double[] b, int n, int d) {
    double[][] cost = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int k = 0; k < d; k++) {
          double diff = a[i * d + k] - b[j * d + k];
          sum += diff * diff;
        }
        cost[i][j] = sum;
      }
    }
    return cost;
  }
}
