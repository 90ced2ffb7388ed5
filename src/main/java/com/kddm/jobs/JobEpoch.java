package com.kddm.jobs;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** One row of a job's metric history. Written by workers through {@link JobQueue}. */
@Entity
@Table(name = "job_epochs")
@IdClass(JobEpoch.Key.class)
class JobEpoch {

  record Key(UUID jobId, int epoch) implements Serializable {
    Key() {
      this(null, 0);
    }
  }

  @Id private UUID jobId;
  @Id private int epoch;
  private double trainCrossEntropy;
  private Double trainDistillationLoss;
  private double trainLoss;
  private double validationCrossEntropy;
  private double validationAccuracy;
  private Double validationFeatureGap;
  private Double validationW2;
  private Double teacherHeadAccuracy;
  private double learningRate;
  private double seconds;
  private Instant recordedAt;

  protected JobEpoch() {}

  UUID jobId() { return jobId; }
  int epoch() { return epoch; }
  double trainCrossEntropy() { return trainCrossEntropy; }
  Double trainDistillationLoss() { return trainDistillationLoss; }
  double trainLoss() { return trainLoss; }
  double validationCrossEntropy() { return validationCrossEntropy; }
  double validationAccuracy() { return validationAccuracy; }
  Double validationFeatureGap() { return validationFeatureGap; }
  Double validationW2() { return validationW2; }
  Double teacherHeadAccuracy() { return teacherHeadAccuracy; }
  double learningRate() { return learningRate; }
  double seconds() { return seconds; }
  Instant recordedAt() { return recordedAt; }
}
