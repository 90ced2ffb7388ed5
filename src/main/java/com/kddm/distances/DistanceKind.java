package com.kddm.distances;

import com.kddm.distances.DistanceParameters.Definition;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The distances a job can ask for, by the name the API uses, with the parameters each accepts.
 * {@code GET /v1/distances} lists exactly this catalog.
 */
public enum DistanceKind {
  W2("w2", "empirical squared 2-Wasserstein distance, exact optimal transport on each batch",
      List.of(), p -> new EmpiricalWasserstein());

  private final String id;
  private final String description;
  private final List<Definition> parameters;
  private final Function<DistanceParameters, FeatureDistance> factory;

  DistanceKind(String id, String description, List<Definition> parameters,
      Function<DistanceParameters, FeatureDistance> factory) {
    this.id = id;
    this.description = description;
    this.parameters = parameters;
    this.factory = factory;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public List<Definition> parameters() {
    return parameters;
  }

  /** Checks and completes the given parameters; see {@link DistanceParameters#resolve}. */
  public DistanceParameters resolve(Map<String, ?> given) {
    return DistanceParameters.resolve(parameters, given);
  }

  public FeatureDistance create(Map<String, ?> given) {
    return factory.apply(resolve(given));
  }

  public static DistanceKind named(String id) {
    return Arrays.stream(values())
        .filter(k -> k.id.equalsIgnoreCase(id))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("unknown distance '" + id + "', expected one of " + ids()));
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(DistanceKind::id).toList();
  }
}
