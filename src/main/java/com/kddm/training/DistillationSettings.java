package com.kddm.training;

import com.kddm.distances.DistanceKind;

/** Which distance ties the student's features to the teacher's, and how strongly. */
public record DistillationSettings(DistanceKind distance, float lambda) {

  public DistillationSettings {
    if (distance == null) {
      throw new IllegalArgumentException("distance is required");
    }
    if (!(lambda >= 0) || Float.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be a finite number >= 0");
    }
  }
}
