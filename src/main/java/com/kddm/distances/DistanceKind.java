package com.kddm.distances;

import java.util.Arrays;
import java.util.List;

/** The distances a job can ask for, by the name the API uses. */
public enum DistanceKind {
  W2("w2", "empirical squared 2-Wasserstein distance, exact optimal transport on each batch") {
    @Override
    public FeatureDistance create() {
      return new EmpiricalWasserstein();
    }
  };

  private final String id;
  private final String description;

  DistanceKind(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public abstract FeatureDistance create();

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
