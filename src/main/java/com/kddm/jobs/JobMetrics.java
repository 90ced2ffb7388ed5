package com.kddm.jobs;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The per-epoch history of a job. */
public record JobMetrics(UUID jobId, List<EpochRecord> epochs) {

  public record EpochRecord(
      int epoch,
      double trainCrossEntropy,
      Double trainDistillationLoss,
      double trainLoss,
      double validationCrossEntropy,
      double validationAccuracy,
      Double validationFeatureGap,
      Double validationW2,
      Double teacherHeadAccuracy,
      double learningRate,
      double seconds,
      Instant recordedAt) {

    static EpochRecord of(JobEpoch e) {
      return new EpochRecord(e.epoch(), e.trainCrossEntropy(), e.trainDistillationLoss(), e.trainLoss(),
          e.validationCrossEntropy(), e.validationAccuracy(), e.validationFeatureGap(), e.validationW2(),
          e.teacherHeadAccuracy(), e.learningRate(), e.seconds(), e.recordedAt());
    }
  }
}
