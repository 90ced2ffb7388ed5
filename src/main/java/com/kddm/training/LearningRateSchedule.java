package com.kddm.training;

import ai.djl.training.tracker.Tracker;

/**
 * The learning rate at each optimisation step. Written out rather than taken from DJL's trackers
 * so that the formula is the documented one: cosine decay over all steps, or a step decay counted
 * in epochs.
 */
final class LearningRateSchedule implements Tracker {

  private final TrainingSettings settings;
  private final long stepsPerEpoch;
  private final long totalSteps;

  LearningRateSchedule(TrainingSettings settings, long stepsPerEpoch) {
    this.settings = settings;
    this.stepsPerEpoch = stepsPerEpoch;
    this.totalSteps = stepsPerEpoch * settings.epochs();
  }

  @Override
  public float getNewValue(int numUpdate) {
    return (float) at(numUpdate);
  }

  /** Rate for the step with 0-based index {@code step}. */
  double at(long step) {
    double base = settings.learningRate();
    return switch (settings.schedule()) {
      case "cosine" -> {
        double progress = Math.min(1.0, (double) step / Math.max(1, totalSteps - 1));
        double end = settings.finalLearningRate();
        yield end + (base - end) * (1 + Math.cos(Math.PI * progress)) / 2;
      }
      case "step" -> base * Math.pow(settings.stepGamma(), (step / stepsPerEpoch) / settings.stepEpochs());
      default -> base;
    };
  }
}
