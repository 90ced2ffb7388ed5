package com.kddm.training;

import java.util.Locale;

/** How the student is optimised. */
public record TrainingSettings(
    int epochs,
    int batchSize,
    float learningRate,
    String optimizer,
    long seed,
    double validationFraction) {

  public TrainingSettings {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1");
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("batchSize must be at least 2");
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learningRate must be positive");
    }
    optimizer = optimizer.toLowerCase(Locale.ROOT);
    if (!optimizer.equals("adam") && !optimizer.equals("sgd")) {
      throw new IllegalArgumentException("optimizer must be adam or sgd, got " + optimizer);
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validationFraction must lie in (0, 1)");
    }
  }
}
