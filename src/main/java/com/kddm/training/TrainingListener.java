package com.kddm.training;

/** Hooks through which the caller follows a run and can stop it. */
public interface TrainingListener {

  /** After every optimisation step; {@code step} counts from 1 over the whole run. */
  default void onStep(int epoch, long step, long totalSteps) {}

  /** After every epoch, once its validation figures are known. */
  default void onEpoch(EpochMetrics metrics) {}

  /** Asked before every step; true ends the run with {@link TrainingStoppedException}. */
  default boolean shouldStop() {
    return false;
  }
}
