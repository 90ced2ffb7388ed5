package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Class-conditional empirical W2 (CW2): Σ_c w_c · W2²(student features of class c, teacher
 * features of class c) over the ground-truth classes present in the batch, with exact plans.
 *
 * <p>Both sides hold the same samples, so each class has as many student as teacher rows and its
 * exact plan is a permutation within the class. Weights: {@link Weighting#PROPORTIONAL} w_c = n_c/n
 * (then CW2 is the cost of the best label-preserving coupling of the whole batch, between W2 and the
 * paired gap), or {@link Weighting#UNIFORM} w_c = 1 (what the method's reference code sums). Plans
 * are computed without gradient, in double precision on the JVM; the loss is Σ π*·C.
 */
public final class ClassConditionalWasserstein implements FeatureDistance {

  /** How the classes' terms are weighted. */
  public enum Weighting {
    PROPORTIONAL,
    UNIFORM;

    static Weighting named(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private final Weighting weighting;

  public ClassConditionalWasserstein(Weighting weighting) {
    this.weighting = java.util.Objects.requireNonNull(weighting);
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    NDArray student = batch.studentFeatures();
    NDArray teacher = batch.teacherFeatures();
    Pairwise.requireSameShape("features", student, teacher);
    int n = (int) student.getShape().get(0);
    int d = (int) student.getShape().get(1);
    int[] labels = Pairwise.labels(batch, n);
    double[] s = Pairwise.hostDoubles(student);
    double[] t = Pairwise.hostDoubles(teacher);
    int[] match = new int[n];
    double[] weights = new double[n];
    for (int[] members : classes(labels).values()) {
      int size = members.length;
      int[] local = LinearAssignment.solve(EmpiricalWasserstein.squaredDistances(rows(s, members, d), rows(t, members, d), size, d));
      // w_c · (1/n_c) Σ over the class's matched pairs
      double weight = weighting == Weighting.PROPORTIONAL ? 1.0 / n : 1.0 / size;
      for (int a = 0; a < size; a++) {
        match[members[a]] = members[local[a]];
        weights[members[a]] = weight;
      }
    }
    return Pairwise.matchedSquaredDistances(student, teacher, match).mul(Pairwise.like(student, weights)).sum();
  }

  /** Row indices of each class present, by class. */
  static Map<Integer, int[]> classes(int[] labels) {
    Map<Integer, int[]> out = new TreeMap<>();
    for (int c : Arrays.stream(labels).distinct().toArray()) {
      out.put(c, IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray());
    }
    return out;
  }

  private static double[] rows(double[] values, int[] members, int d) {
    double[] out = new double[members.length * d];
    for (int a = 0; a < members.length; a++) {
      System.arraycopy(values, members[a] * d, out, a * d, d);
    }
    return out;
  }

  Weighting weighting() {
    return weighting;
  }
}
