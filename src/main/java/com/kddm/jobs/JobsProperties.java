package com.kddm.jobs;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxAttempts how many times a job may be started (after lost workers or infrastructure
 *     errors) before it fails
 * @param maxRunTime how long a job may run, from its first start, unless it asks for another limit
 * @param defaults values a submission leaves out
 */
@Validated
@ConfigurationProperties("kddm.jobs")
record JobsProperties(
    @Min(1) @Max(100) @DefaultValue("3") int maxAttempts,
    @NotNull @DefaultValue("24h") java.time.Duration maxRunTime,
    @NotNull @Valid @DefaultValue Defaults defaults) {

  record Defaults(
      @DefaultValue("5") int epochs,
      @DefaultValue("128") int batchSize,
      @DefaultValue("0.001") double learningRate,
      @DefaultValue("adam") String optimizer,
      @DefaultValue("0.9") double momentum,
      @DefaultValue("0") double weightDecay,
      @DefaultValue("constant") String schedule,
      @DefaultValue("1") int stepEpochs,
      @DefaultValue("0.1") double stepGamma,
      @DefaultValue("none") String augmentation,
      @DefaultValue("4") int cropPadding,
      @DefaultValue("42") long seed,
      @DefaultValue("0.1") double validationFraction,
      @DefaultValue("dataset") String normalization,
      @DefaultValue("w2") String distance,
      @DefaultValue("0.01") double lambda) {}
}
