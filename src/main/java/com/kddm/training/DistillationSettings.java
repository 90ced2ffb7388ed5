package com.kddm.training;

import com.kddm.distances.DistanceKind;
import java.util.Map;

/**
 * Which distance ties the student's features to the teacher's, with its parameters, and how
 * strongly.
 */
public record DistillationSettings(DistanceKind distance, Map<String, ?> parameters, float lambda) {

  public DistillationSettings {
    if (distance == null) {
      throw new IllegalArgumentException("distance is required");
    }
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    distance.resolve(parameters);
    if (!(lambda >= 0) || Float.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be a finite number >= 0");
    }
  }
}
