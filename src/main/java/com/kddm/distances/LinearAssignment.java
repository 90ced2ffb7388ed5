package com.kddm.distances;

import java.util.Arrays;

/**
 * Exact minimum-cost perfect matching on a dense square cost matrix (Hungarian method with
 * potentials and shortest augmenting paths, O(n³)).
 *
 * <p>Written here rather than taken from a graph library because the training step calls it on
 * every batch: a dense array solver costs well under a millisecond at n = 128, while the graph
 * libraries on offer build an object per edge first.
 */
public final class LinearAssignment {

  private LinearAssignment() {}

  /**
   * @param cost n × n, finite
   * @return {@code match} with {@code match[i]} the column assigned to row {@code i}
   */
  public static int[] solve(double[][] cost) {
    int n = cost.length;
    for (double[] row : cost) {
      if (row.length != n) {
        throw new IllegalArgumentException("cost matrix must be square, got " + n + "x" + row.length);
      }
      for (double c : row) {
        if (!Double.isFinite(c)) {
          throw new IllegalArgumentException("cost matrix holds a non-finite value: " + c);
        }
      }
    }
    // 1-based arrays; column 0 is the virtual start of every augmenting path.
    double[] rowPotential = new double[n + 1];
    double[] colPotential = new double[n + 1];
    int[] rowOfCol = new int[n + 1];
    int[] previousCol = new int[n + 1];
    double[] slack = new double[n + 1];
    boolean[] visited = new boolean[n + 1];
    for (int row = 1; row <= n; row++) {
      rowOfCol[0] = row;
      int col = 0;
      Arrays.fill(slack, Double.POSITIVE_INFINITY);
      Arrays.fill(visited, false);
      do {
        visited[col] = true;
        int r = rowOfCol[col];
        double delta = Double.POSITIVE_INFINITY;
        int nextCol = 0;
        double[] costRow = cost[r - 1];
        for (int j = 1; j <= n; j++) {
          if (!visited[j]) {
            double reduced = costRow[j - 1] - rowPotential[r] - colPotential[j];
            if (reduced < slack[j]) {
              slack[j] = reduced;
              previousCol[j] = col;
            }
            if (slack[j] < delta) {
              delta = slack[j];
              nextCol = j;
            }
          }
        }
        for (int j = 0; j <= n; j++) {
          if (visited[j]) {
            rowPotential[rowOfCol[j]] += delta;
            colPotential[j] -= delta;
          } else {
            slack[j] -= delta;
          }
        }
        col = nextCol;
      } while (rowOfCol[col] != 0);
      do {
        int prev = previousCol[col];
        rowOfCol[col] = rowOfCol[prev];
        col = prev;
      } while (col != 0);
    }
    int[] match = new int[n];
    for (int j = 1; j <= n; j++) {
      match[rowOfCol[j] - 1] = j - 1;
    }
    return match;
  }
}
