package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Values against NumPy/SciPy (scripts/make-reference-vectors.py → reference/gaussian.json). */
class GaussianReferenceTest {

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  record Case(String name, int n, int d, double[] student, double[] teacher, int[] labels, String distance,
      Map<String, Object> parameters, double value) {
    @Override
    public String toString() {
      return distance + " " + parameters + " on " + name;
    }
  }

  @SuppressWarnings("unchecked")
  static Stream<Case> cases() throws IOException {
    JsonMapper mapper = JsonMapper.builder().build();
    try (InputStream in = GaussianReferenceTest.class.getResourceAsStream("/reference/gaussian.json")) {
      JsonNode root = mapper.readTree(in);
      List<Case> cases = new ArrayList<>();
      for (JsonNode c : root.get("cases")) {
        int[] labels = new int[c.get("labels").size()];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = c.get("labels").get(i).asInt();
        }
        for (JsonNode e : c.get("expected")) {
          cases.add(new Case(c.get("name").asString(), c.get("n").asInt(), c.get("d").asInt(),
              doubles(c.get("student")), doubles(c.get("teacher")), labels, e.get("distance").asString(),
              mapper.treeToValue(e.get("parameters"), Map.class), e.get("value").asDouble()));
        }
      }
      return cases.stream();
    }
  }

  static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      // The reference inputs are float32 values; widen exactly as NumPy's astype(float64) did.
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesNumpyInFloat32(Case c) {
    NDArray loss = evaluate(c, DataType.FLOAT32);
    assertThat(loss.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(loss.getShape().dimension()).as("a scalar").isZero();
    assertThat(relativeError(loss.getFloat(), c.value())).isLessThanOrEqualTo(1e-4);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesNumpyInFloat64(Case c) {
    NDArray loss = evaluate(c, DataType.FLOAT64);
    assertThat(loss.getDataType()).isEqualTo(DataType.FLOAT64);
    assertThat(relativeError(loss.getDouble(), c.value())).isLessThanOrEqualTo(1e-9);
  }

  private NDArray evaluate(Case c, DataType type) {
    FeatureDistance distance = DistanceKind.named(c.distance()).create(c.parameters());
    NDArray student = manager.create(c.student(), new Shape(c.n(), c.d())).toType(type, false);
    NDArray teacher = manager.create(c.teacher(), new Shape(c.n(), c.d())).toType(type, false);
    return distance.between(new FeatureBatch(student, teacher, manager.create(c.labels()), null, null));
  }

  static double relativeError(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  }
}
