package com.kddm.jobs;

/**
 * The fully resolved configuration of a job, defaults filled in, as stored with it and shown to
 * the user. {@code distillation} is null for plain supervised training.
 */
public record JobSpec(Student student, Distillation distillation, Training training) {

  public record Student(String architecture, int featureSize) {}

  public record Distillation(String distance, double lambda) {}

  public record Training(
      int epochs, int batchSize, double learningRate, String optimizer, long seed, double validationFraction) {}
}
