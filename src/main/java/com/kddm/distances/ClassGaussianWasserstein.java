package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.kddm.distances.DistanceParameters.Definition;
import com.kddm.distances.GaussianDivergence.Evaluation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Class-conditional Gaussian W2: Σ_c w_c · W2²(N(μ_S,c, Σ_S,c), N(μ_T,c, Σ_T,c)) over the
 * ground-truth classes present in the batch.
 *
 * <p>Matching per class keeps the teacher's class structure, which one Gaussian for the whole
 * batch blurs. w_c = n_c / n by default; uniform weights (w_c = 1) reproduce the method's
 * reference code, whose loss then grows with the number of classes in a batch.
 */
public final class ClassGaussianWasserstein implements FeatureDistance {

  enum Weighting {
    PROPORTIONAL,
    UNIFORM;

    static Weighting of(String id) {
      return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }

    static Definition definition() {
      return Definition.choice("classWeighting", "proportional", List.of("proportional", "uniform"),
          "proportional: w_c = n_c / n; uniform: w_c = 1, as the reference code sums");
    }
  }

  private final Covariance covariance;
  private final double epsilon;
  private final Weighting weighting;

  ClassGaussianWasserstein(Covariance covariance, double epsilon, Weighting weighting) {
    this.covariance = covariance;
    this.epsilon = epsilon;
    this.weighting = weighting;
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    NDArray student = batch.studentFeatures();
    NDArray teacher = batch.teacherFeatures();
    int d = GaussianLoss.checkedWidth(student, teacher);
    int n = GaussianLoss.rows(student);
    int[] labels = labels(batch.labels(), n, GaussianLoss.rows(teacher));
    double[] studentValues = Gaussian.doubles(student);
    double[] teacherValues = Gaussian.doubles(teacher);
    GaussianDivergence divergence = GaussianWasserstein.divergence(covariance);
    double value = 0;
    NDArray surrogate = null;
    for (int[] rows : rowsByClass(labels).values()) {
      double weight = weighting == Weighting.PROPORTIONAL ? (double) rows.length / n : 1;
      Evaluation e = LowRankGaussians.evaluate(divergence, studentValues, rows, teacherValues, rows, d, covariance, epsilon);
      value += weight * e.value();
      NDArray classRows = student.get(student.getManager().create(rows));
      NDArray term = GaussianLoss.surrogate(classRows, covariance, e, weight);
      surrogate = surrogate == null ? term : surrogate.add(term);
    }
    return GaussianLoss.withValue(surrogate, value);
  }

  private static int[] labels(NDArray labels, int n, int teacherRows) {
    if (labels == null) {
      throw new IllegalArgumentException("class-gaussian-w2 needs the batch's labels");
    }
    if (teacherRows != n || labels.size() != n) {
      throw new IllegalArgumentException("class-gaussian-w2 needs one label per row on both sides, got "
          + n + " student rows, " + teacherRows + " teacher rows and " + labels.size() + " labels");
    }
    return labels.toType(DataType.INT32, false).toIntArray();
  }

  /** Row indices of each class present, by class, in label order. */
  static Map<Integer, int[]> rowsByClass(int[] labels) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int label : labels) {
      counts.merge(label, 1, Integer::sum);
    }
    Map<Integer, int[]> rows = new TreeMap<>();
    counts.forEach((label, count) -> rows.put(label, new int[count]));
    Map<Integer, Integer> filled = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      int slot = filled.merge(labels[i], 1, Integer::sum) - 1;
      rows.get(labels[i])[slot] = i;
    }
    return rows;
  }
}
