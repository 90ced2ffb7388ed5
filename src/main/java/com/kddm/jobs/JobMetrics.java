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
      double seconds,
      Instant recordedAt) {

    static EpochRecord of(JobEpoch e) {
      return new EpochRecord(e.epoch(), e.trainCrossEntropy(), e.trainDistillationLoss(), e.trainLoss(),
          e.validationCrossEntropy(), e.validationAccuracy(), e.seconds(), e.recordedAt());
    }
  }
}
