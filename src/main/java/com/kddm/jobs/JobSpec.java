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
      double validationFraction) {}
}
