package com.kddm.training;

/**
 * Hooks through which the caller follows a run, stores its checkpoints and can stop it. Called on
 * the training thread; a slow hook slows the run.
 */
public interface TrainingListener {

  /** After every optimisation step; {@code step} counts from 1 over the whole run. */
  default void onStep(int epoch, long step, long totalSteps) {}

  /** After every epoch, once its validation figures are known. */
  default void onEpoch(EpochMetrics metrics) {}

  /** Asked before every step; true ends the run with {@link TrainingStoppedException}. */
  default boolean shouldStop() {
    return false;
  }

  /**
   * How often, in optimisation steps counted over the whole run, {@link #onCheckpoint} is also
   * called within an epoch: after every step whose number is a multiple of it (except an epoch's
   * last step, whose checkpoint follows the epoch's validation). 0, the default, means only at
   * epoch ends. Read once when a run starts.
   */
  default long checkpointEverySteps() {
    return 0;
  }

  /**
   * A checkpoint to store: after every epoch (after {@link #onEpoch}) and every {@link
   * #checkpointEverySteps()} steps. A run resumed from it with {@link
   * DistillationTrainer#train(TrainingPlan, TrainingListener, Checkpoint)} continues from there.
   * The checkpoint is immutable and holds no native memory; it may be kept after the hook returns.
   */
  default void onCheckpoint(Checkpoint checkpoint) {}

  /**
   * Whether a run that {@link #shouldStop} is asked to stop hands a last checkpoint to {@link
   * #onCheckpoint} first (a worker shutting down wants one; a cancelled run does not).
   */
  default boolean checkpointWhenStopped() {
    return false;
  }
}
