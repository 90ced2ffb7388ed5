package com.kddm.jobs;

import java.time.Instant;
import java.util.UUID;

public record JobResponse(
    UUID id,
    JobState state,
    UUID datasetId,
    UUID teacherId,
    JobSpec.StudentSpec student,
    JobSpec.DistillationSpec distillation,
    JobSpec.TrainingSpec training,
    Progress progress,
    LatestMetrics latestMetrics,
    JobResult result,
    String failureReason,
    int attempts,
    long maxRunTimeSeconds,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt) {

  /** Where training is: {@code step} of {@code totalSteps} optimisation steps, in epoch {@code epoch}. */
  public record Progress(int epoch, int epochs, long step, long totalSteps, double percent) {}

  /** The figures of the last finished epoch; null before the first one ends. */
  public record LatestMetrics(
      int epoch, double trainCrossEntropy, Double trainDistillationLoss, double validationAccuracy,
      double validationCrossEntropy) {}

  static JobResponse of(Job job, JobEpoch latest) {
    long total = job.totalSteps();
    double percent = job.state() == JobState.SUCCEEDED ? 100 : total == 0 ? 0 : Math.min(100, 100.0 * job.step() / total);
    return new JobResponse(
        job.id(), job.state(), job.datasetId(), job.teacherId(), job.spec().student(), job.spec().distillation(),
        job.spec().training(),
        new Progress(job.epoch(), job.spec().training().epochs(), job.step(), total, Math.round(percent * 100) / 100.0),
        latest == null ? null : new LatestMetrics(latest.epoch(), latest.trainCrossEntropy(),
            latest.trainDistillationLoss(), latest.validationAccuracy(), latest.validationCrossEntropy()),
        job.result(), job.failureReason(), job.attempts(), job.maxRunSeconds(), job.createdAt(), job.startedAt(), job.finishedAt());
  }
}
