package com.kddm.distances;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters a user gave for a distance, checked against its definitions and completed with
 * their defaults. Unknown names and out-of-range values are refused with a message that names them.
 */
public final class DistanceParameters {

  /** One parameter a distance accepts. {@code allowed} is non-empty for string choices. */
  public record Definition(
      String name, String type, Object defaultValue, String description, Double min, Double max, List<String> allowed) {

    public static Definition number(String name, double defaultValue, double min, double max, String description) {
      return new Definition(name, "number", defaultValue, description, min, max, List.of());
    }

    public static Definition choice(String name, String defaultValue, List<String> allowed, String description) {
      return new Definition(name, "string", defaultValue, description, null, null, List.copyOf(allowed));
    }
  }

  private final Map<String, Object> values;

  private DistanceParameters(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * @throws IllegalArgumentException naming the parameter that is unknown, of the wrong type or
   *     out of range
   */
  public static DistanceParameters resolve(List<Definition> definitions, Map<String, ?> given) {
    Map<String, ?> input = given == null ? Map.of() : given;
    for (String name : input.keySet()) {
      if (definitions.stream().noneMatch(d -> d.name().equals(name))) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; this distance takes "
            + definitions.stream().map(Definition::name).toList());
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Definition d : definitions) {
      Object value = input.containsKey(d.name()) ? input.get(d.name()) : d.defaultValue();
      values.put(d.name(), check(d, value));
    }
    return new DistanceParameters(values);
  }

  private static Object check(Definition d, Object value) {
    if (d.type().equals("number")) {
      if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
        throw new IllegalArgumentException("parameter '" + d.name() + "' must be a number, got " + value);
      }
      double x = number.doubleValue();
      if ((d.min() != null && x < d.min()) || (d.max() != null && x > d.max())) {
        throw new IllegalArgumentException(
            "parameter '" + d.name() + "' must lie in [" + d.min() + ", " + d.max() + "], got " + x);
      }
      return x;
    }
    if (!(value instanceof String text) || !d.allowed().contains(text)) {
      throw new IllegalArgumentException("parameter '" + d.name() + "' must be one of " + d.allowed() + ", got " + value);
    }
    return text;
  }

  public double number(String name) {
    return ((Number) require(name)).doubleValue();
  }

  public String choice(String name) {
    return (String) require(name);
  }

  /** Every parameter with its resolved value, for storing with a job. */
  public Map<String, Object> asMap() {
    return Map.copyOf(values);
  }

  private Object require(String name) {
    Object value = values.get(name);
    if (value == null) {
      throw new IllegalStateException("no parameter '" + name + "' is defined");
    }
    return value;
  }
}
