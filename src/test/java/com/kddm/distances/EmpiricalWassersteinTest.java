package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EmpiricalWassersteinTest {

  private final EmpiricalWasserstein w2 = new EmpiricalWasserstein();
  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  record Case(int n, int d, double[] student, double[] teacher, double emd2, double pairedL2) {
    @Override
    public String toString() {
      return "n=" + n + ", d=" + d;
    }
  }

  static Stream<Case> potCases() throws IOException {
    try (InputStream in = EmpiricalWassersteinTest.class.getResourceAsStream("/reference/w2.json")) {
      JsonNode root = JsonMapper.builder().build().readTree(in);
      List<Case> cases = new ArrayList<>();
      for (JsonNode c : root.get("cases")) {
        cases.add(
            new Case(
                c.get("n").asInt(),
                c.get("d").asInt(),
                doubles(c.get("student")),
                doubles(c.get("teacher")),
                c.get("emd2").asDouble(),
                c.get("pairedL2").asDouble()));
      }
      return cases.stream();
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      // The reference inputs are float32 values; widen exactly as NumPy's astype(float64) did.
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("potCases")
  void matchesPotExactTransportCostInFloat32(Case c) {
    double value = w2.between(array(c.student(), c, DataType.FLOAT32), array(c.teacher(), c, DataType.FLOAT32)).getFloat();
    assertThat(relativeError(value, c.emd2())).isLessThanOrEqualTo(1e-4);
  }

  @ParameterizedTest
  @MethodSource("potCases")
  void matchesPotExactTransportCostInFloat64(Case c) {
    double value = w2.between(array(c.student(), c, DataType.FLOAT64), array(c.teacher(), c, DataType.FLOAT64)).getDouble();
    assertThat(relativeError(value, c.emd2())).isLessThanOrEqualTo(1e-10);
  }

  @ParameterizedTest
  @MethodSource("potCases")
  void neverExceedsThePairedFeatureGap(Case c) {
    double value = w2.between(array(c.student(), c, DataType.FLOAT64), array(c.teacher(), c, DataType.FLOAT64)).getDouble();
    assertThat(value).isLessThanOrEqualTo(c.pairedL2() * (1 + 1e-12));
  }

  @Test
  void isZeroForAPermutationOfTheSamePoints() {
    NDArray teacher = manager.randomNormal(new Shape(32, 10), DataType.FLOAT64);
    NDArray student = teacher.get(manager.create(reversed(32)));
    assertThat(w2.between(student, teacher).getDouble()).isCloseTo(0, within(1e-12));
  }

  @Test
  void gradientMatchesCentralFiniteDifferences() {
    Random random = new Random(3);
    int n = 12;
    int d = 5;
    double[] s = gaussian(random, n * d);
    double[] t = gaussian(random, n * d);
    NDArray student = manager.create(s, new Shape(n, d));
    NDArray teacher = manager.create(t, new Shape(n, d));
    student.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(w2.between(student, teacher));
    }
    double[] gradient = student.getGradient().toDoubleArray();
    double h = 1e-6;
    for (int k = 0; k < s.length; k++) {
      double[] plus = s.clone();
      double[] minus = s.clone();
      plus[k] += h;
      minus[k] -= h;
      double numeric = (value(plus, teacher, n, d) - value(minus, teacher, n, d)) / (2 * h);
      assertThat(gradient[k]).as("d loss / d student[%d]", k).isCloseTo(numeric, within(1e-6 * Math.max(1, Math.abs(numeric))));
    }
  }

  @Test
  void refusesBatchesOfDifferentSizes() {
    NDArray a = manager.ones(new Shape(4, 3));
    NDArray b = manager.ones(new Shape(5, 3));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> w2.between(a, b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("equal batch sizes");
  }

  private double value(double[] student, NDArray teacher, int n, int d) {
    return w2.between(manager.create(student, new Shape(n, d)), teacher).getDouble();
  }

  private NDArray array(double[] values, Case c, DataType type) {
    return manager.create(values, new Shape(c.n(), c.d())).toType(type, false);
  }

  private static double relativeError(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  }

  private static double[] gaussian(Random random, int size) {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = random.nextGaussian();
    }
    return out;
  }

  private static int[] reversed(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = n - 1 - i;
    }
    return out;
  }
}
