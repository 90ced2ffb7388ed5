package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearAssignmentTest {

  @Test
  void findsTheCheapestPermutationAsBruteForceDoes() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(7);
      double[][] cost = new double[n][n];
      for (double[] row : cost) {
        for (int j = 0; j < n; j++) {
          // Small integers make ties, which a solver must survive.
          row[j] = trial % 2 == 0 ? random.nextInt(4) : random.nextDouble() * 10 - 3;
        }
      }
      int[] match = LinearAssignment.solve(cost);
      assertThat(match).as("a permutation").containsExactlyInAnyOrder(range(n));
      assertThat(total(cost, match)).isCloseTo(bruteForceMinimum(cost), org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void refusesNonFiniteCosts() {
    assertThatThrownBy(() -> LinearAssignment.solve(new double[][] {{0, Double.NaN}, {1, 2}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-finite");
  }

  @Test
  void refusesRectangularMatrices() {
    assertThatThrownBy(() -> LinearAssignment.solve(new double[][] {{0, 1}, {1}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("square");
  }

  private static int[] range(int n) {
    return java.util.stream.IntStream.range(0, n).toArray();
  }

  private static double total(double[][] cost, int[] match) {
    double sum = 0;
    for (int i = 0; i < match.length; i++) {
      sum += cost[i][match[i]];
    }
    return sum;
  }

  private static double bruteForceMinimum(double[][] cost) {
    return permute(cost, range(cost.length), 0);
  }

  private static double permute(double[][] cost, int[] p, int k) {
    if (k == p.length) {
      return total(cost, p);
    }
    double best = Double.POSITIVE_INFINITY;
    for (int i = k; i < p.length; i++) {
      swap(p, k, i);
      best = Math.min(best, permute(cost, p, k + 1));
      swap(p, k, i);
    }
    return best;
  }

  private static void swap(int[] p, int a, int b) {
    int t = p[a];
    p[a] = p[b];
    p[b] = t;
  }
}
