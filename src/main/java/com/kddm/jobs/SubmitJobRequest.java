package com.kddm.jobs;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.Map;
import java.util.UUID;

/**
 * A job as submitted. Everything but the dataset and the student architecture has a default; the
 * job answers the resolved values.
 */
record SubmitJobRequest(
    @NotNull UUID datasetId,
    UUID teacherId,
    @NotNull @Valid StudentChoice student,
    @Valid DistillationChoice distillation,
    @Valid TrainingChoice training,
    @Min(1) @Max(30 * 24 * 3600) Long maxRunTimeSeconds) {

  record StudentChoice(@NotBlank String architecture, @Min(2) @Max(8192) Integer featureSize) {}

  record DistillationChoice(String distance, Map<String, Object> parameters, @PositiveOrZero @Max(1_000_000) Double lambda) {}

  record TrainingChoice(
      @Min(1) @Max(1000) Integer epochs,
      @Min(2) @Max(65536) Integer batchSize,
      @Positive @Max(10) Double learningRate,
      String optimizer,
      @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double momentum,
      @PositiveOrZero @Max(1) Double weightDecay,
      String schedule,
      @PositiveOrZero Double finalLearningRate,
      @Min(1) @Max(1000) Integer stepEpochs,
      @Positive @Max(1) Double stepGamma,
      String augmentation,
      @Min(0) @Max(64) Integer cropPadding,
      Long seed,
      @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double validationFraction,
      String normalization) {}
}
