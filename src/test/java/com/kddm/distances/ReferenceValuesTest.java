package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every distance of the catalog against POT and NumPy ({@code reference/empirical.json}, written
 * by {@code scripts/make-reference-vectors.py}), through {@link DistanceKind} as a job builds it.
 */
class ReferenceValuesTest {

  /** Largest relative error seen per distance and precision, printed after the class. */
  private static final Map<String, Double> WORST = new TreeMap<>();

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @AfterAll
  static void reportWorstErrors() {
    WORST.forEach((key, error) -> System.out.printf("max relative error %-40s %.3e%n", key, error));
  }

  record Batch(String name, int n, int d, int classes, int[] labels, double[] studentFeatures,
      double[] teacherFeatures, double[] studentLogits, double[] teacherLogits) {}

  record Case(Batch batch, String distance, Map<String, Object> parameters, double expected) {
    @Override
    public String toString() {
      return distance + " " + parameters + " on " + batch.name();
    }

    String key() {
      return distance + (isSinkhorn() ? " sinkhorn" : "");
    }

    boolean isSinkhorn() {
      return "sinkhorn".equals(parameters.get("solver"));
    }
  }

  static Stream<Case> references() throws IOException {
    try (InputStream in = ReferenceValuesTest.class.getResourceAsStream("/reference/empirical.json")) {
      JsonNode root = JsonMapper.builder().build().readTree(in);
      List<Case> cases = new ArrayList<>();
      for (JsonNode b : root.get("batches")) {
        int[] labels = new int[b.get("labels").size()];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = b.get("labels").get(i).asInt();
        }
        Batch batch = new Batch(b.get("name").asString(), b.get("n").asInt(), b.get("d").asInt(),
            b.get("classes").asInt(), labels, floats(b.get("studentFeatures")), floats(b.get("teacherFeatures")),
            floats(b.get("studentLogits")), floats(b.get("teacherLogits")));
        for (JsonNode v : b.get("values")) {
          Map<String, Object> parameters = new LinkedHashMap<>();
          v.get("parameters").properties().forEach(e ->
              parameters.put(e.getKey(), e.getValue().isNumber() ? (Object) e.getValue().asDouble() : e.getValue().asString()));
          cases.add(new Case(batch, v.get("distance").asString(), parameters, v.get("value").asDouble()));
        }
      }
      return cases.stream();
    }
  }

  /** The reference inputs are float32 values; widen exactly as NumPy's astype(float64) did. */
  private static double[] floats(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("references")
  void matchesTheReferenceInFloat32(Case c) {
    double error = relativeError(value(c, DataType.FLOAT32), c.expected());
    record(c.key() + " float32", error);
    assertThat(error).isLessThanOrEqualTo(1e-4);
  }

  @ParameterizedTest
  @MethodSource("references")
  void matchesTheReferenceInFloat64(Case c) {
    double error = relativeError(value(c, DataType.FLOAT64), c.expected());
    record(c.key() + " float64", error);
    assertThat(error).isLessThanOrEqualTo(1e-12);
  }

  private double value(Case c, DataType type) {
    Batch b = c.batch();
    FeatureBatch batch = new FeatureBatch(
        array(b.studentFeatures(), b.n(), b.d(), type),
        array(b.teacherFeatures(), b.n(), b.d(), type),
        manager.create(b.labels()),
        array(b.studentLogits(), b.n(), b.classes(), type),
        array(b.teacherLogits(), b.n(), b.classes(), type));
    NDArray value = DistanceKind.named(c.distance()).create(c.parameters()).between(batch);
    assertThat(value.getShape()).isEqualTo(new Shape());
    assertThat(value.getDataType()).isEqualTo(type);
    return value.toType(DataType.FLOAT64, false).getDouble();
  }

  private NDArray array(double[] values, int rows, int columns, DataType type) {
    return manager.create(values, new Shape(rows, columns)).toType(type, false);
  }

  private static synchronized void record(String key, double error) {
    WORST.merge(key, error, Math::max);
  }

  private static double relativeError(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  }
}
