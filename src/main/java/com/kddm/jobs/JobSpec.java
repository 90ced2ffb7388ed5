package com.kddm.jobs;

import java.util.Map;

/**
 * The fully resolved configuration of a job, defaults filled in, as stored with it and shown to
 * the user. {@code distillation} is null for plain supervised training.
 */
public record JobSpec(StudentSpec student, DistillationSpec distillation, TrainingSpec training) {

  public record StudentSpec(String architecture, int featureSize) {}

  public record DistillationSpec(String distance, Map<String, Object> parameters, double lambda) {}

  public record TrainingSpec(
      int epochs,
      int batchSize,
      double learningRate,
      String optimizer,
      double momentum,
      double weightDecay,
      String schedule,
      double finalLearningRate,
      int stepEpochs,
      double stepGamma,
      String augmentation,
      int cropPadding,
      long seed,
      double validationFraction,
      String normalization) {

    /**
     * Whether the student sees the dataset's per-channel statistics applied; jobs recorded before
     * the choice existed trained on [0, 1] inputs and resume that way.
     */
    public boolean normalizesWithDatasetStatistics() {
      return NORMALIZE_WITH_DATASET.equals(normalization);
    }
  }

  public static final String NORMALIZE_WITH_DATASET = "dataset";
  public static final java.util.List<String> NORMALIZATIONS = java.util.List.of(NORMALIZE_WITH_DATASET, "none");
}
