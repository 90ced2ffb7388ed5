package com.kddm.jobs;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A job as the API sees it. The API creates it; from then on only workers change it, through the
 * lease-fenced statements of {@link JobQueue}.
 */
@Entity
@Table(name = "jobs")
class Job {

  @Id private UUID id;

  @Enumerated(EnumType.STRING)
  private JobState state;

  private UUID datasetId;
  private UUID teacherId;

  @Convert(converter = JsonColumns.SpecColumn.class)
  private JobSpec spec;

  private int attempts;
  private int maxAttempts;
  private String leaseOwner;
  private Instant leaseExpiresAt;
  private int epoch;
  private long step;
  private long totalSteps;

  @Convert(converter = JsonColumns.ResultColumn.class)
  private JobResult result;

  private String studentBlob;
  private String failureReason;
  private String idempotencyKey;
  private String requestSha256;
  private long maxRunSeconds;
  private Instant createdAt;
  private Instant startedAt;
  private Instant finishedAt;

  protected Job() {}

  static Job queued(UUID id, UUID datasetId, UUID teacherId, JobSpec spec, int maxAttempts, long maxRunSeconds,
      String idempotencyKey, String requestSha256, Instant now) {
    Job job = new Job();
    job.maxRunSeconds = maxRunSeconds;
    job.idempotencyKey = idempotencyKey;
    job.requestSha256 = requestSha256;
    job.id = id;
    job.state = JobState.QUEUED;
    job.datasetId = datasetId;
    job.teacherId = teacherId;
    job.spec = spec;
    job.maxAttempts = maxAttempts;
    job.createdAt = now;
    return job;
  }

  UUID id() { return id; }
  JobState state() { return state; }
  UUID datasetId() { return datasetId; }
  UUID teacherId() { return teacherId; }
  JobSpec spec() { return spec; }
  int attempts() { return attempts; }
  int epoch() { return epoch; }
  long step() { return step; }
  long totalSteps() { return totalSteps; }
  JobResult result() { return result; }
  String studentBlob() { return studentBlob; }
  String failureReason() { return failureReason; }
  String requestSha256() { return requestSha256; }
  long maxRunSeconds() { return maxRunSeconds; }
  Instant createdAt() { return createdAt; }
  Instant startedAt() { return startedAt; }
  Instant finishedAt() { return finishedAt; }
}
