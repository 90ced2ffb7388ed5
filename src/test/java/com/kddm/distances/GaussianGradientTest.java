package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The surrogate's autograd gradient against central finite differences of the value, in float64. */
class GaussianGradientTest {

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  static Stream<Arguments> variants() {
    // n = 16 > d = 3: classes of 8, 7 and 1 rows; n = 5 < d = 7 checks a singular sample covariance;
    // n = 4, d = 20 and n = 8, d = 12 (per class) are evaluated in the batches' subspace (LowRankGaussians).
    return Stream.of(
        Arguments.of("gaussian-w2", Map.of("covariance", "full", "epsilon", 0.5), 4, 20),
        Arguments.of("gaussian-kl", Map.of("covariance", "full", "epsilon", 0.5), 4, 20),
        Arguments.of("gaussian-kl", Map.of("covariance", "full", "epsilon", 0.5, "direction", "teacher-student"), 4, 20),
        Arguments.of("class-gaussian-w2", Map.of("covariance", "full", "epsilon", 0.5), 8, 12),
        Arguments.of("gaussian-w2", Map.of("covariance", "full"), 16, 3),
        Arguments.of("gaussian-w2", Map.of("covariance", "full", "epsilon", 0.1), 5, 7),
        Arguments.of("gaussian-w2", Map.of("covariance", "diagonal"), 16, 3),
        Arguments.of("gaussian-w2", Map.of("covariance", "diagonal", "epsilon", 0.0), 16, 3),
        Arguments.of("class-gaussian-w2", Map.of("covariance", "full", "epsilon", 0.01), 16, 3),
        Arguments.of("class-gaussian-w2", Map.of("covariance", "full", "epsilon", 0.01, "classWeighting", "uniform"), 16, 3),
        Arguments.of("class-gaussian-w2", Map.of("covariance", "diagonal", "epsilon", 0.01), 16, 3),
        Arguments.of("class-gaussian-w2", Map.of("covariance", "diagonal", "epsilon", 0.01, "classWeighting", "uniform"), 16, 3),
        Arguments.of("gaussian-kl", Map.of("covariance", "full"), 16, 3),
        Arguments.of("gaussian-kl", Map.of("covariance", "full", "direction", "teacher-student"), 16, 3),
        Arguments.of("gaussian-kl", Map.of("covariance", "full", "epsilon", 0.1), 5, 7),
        Arguments.of("gaussian-kl", Map.of("covariance", "full", "epsilon", 0.1, "direction", "teacher-student"), 5, 7),
        Arguments.of("gaussian-kl", Map.of("covariance", "diagonal"), 16, 3),
        Arguments.of("gaussian-kl", Map.of("covariance", "diagonal", "direction", "teacher-student"), 16, 3));
  }

  @ParameterizedTest(name = "{0} {1} n={2} d={3}")
  @MethodSource("variants")
  void gradientMatchesCentralFiniteDifferences(String id, Map<String, ?> parameters, int n, int d) {
    FeatureDistance distance = DistanceKind.named(id).create(parameters);
    Random random = new Random(11);
    double[] s = new double[n * d];
    double[] t = new double[n * d];
    for (int i = 0; i < s.length; i++) {
      s[i] = random.nextGaussian() * (1 + i % d) + 0.5;
      t[i] = random.nextGaussian() * 1.5 - 0.2 * (i % d);
    }
    NDArray teacher = manager.create(t, new Shape(n, d));
    NDArray labels = manager.create(labels(n));
    NDArray student = manager.create(s, new Shape(n, d));
    student.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(distance.between(new FeatureBatch(student, teacher, labels, null, null)));
    }
    double[] gradient = student.getGradient().toDoubleArray();
    double h = 1e-6;
    for (int k = 0; k < s.length; k++) {
      double[] plus = s.clone();
      double[] minus = s.clone();
      plus[k] += h;
      minus[k] -= h;
      double numeric = (value(distance, plus, teacher, labels, n, d) - value(distance, minus, teacher, labels, n, d)) / (2 * h);
      assertThat(gradient[k]).as("d loss / d student[%d]", k).isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
    }
  }

  @Test
  void float32FeaturesGetAFloat32Gradient() {
    FeatureDistance distance = DistanceKind.named("gaussian-w2").create(Map.of());
    NDArray student = manager.randomNormal(new Shape(8, 4), DataType.FLOAT32);
    NDArray teacher = manager.randomNormal(new Shape(8, 4), DataType.FLOAT32);
    student.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray loss = distance.between(FeatureBatch.ofFeatures(student, teacher));
      assertThat(loss.getDataType()).isEqualTo(DataType.FLOAT32);
      collector.backward(loss);
    }
    NDArray gradient = student.getGradient();
    assertThat(gradient.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(gradient.abs().sum().getFloat()).isPositive().isFinite();
  }

  private double value(FeatureDistance distance, double[] student, NDArray teacher, NDArray labels, int n, int d) {
    return distance.between(new FeatureBatch(manager.create(student, new Shape(n, d)), teacher, labels, null, null)).getDouble();
  }

  /** Classes of unequal sizes, one of them a single sample. */
  private static int[] labels(int n) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i == n - 1 ? 2 : i % 2;
    }
    return labels;
  }
}
