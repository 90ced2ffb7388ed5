package com.kddm.jobs;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One change of a job's state: when, from what to what, by which worker and attempt, and why. */
public record JobEvent(Instant at, JobState fromState, JobState toState, String worker, Integer attempt, String reason) {

  /** A job's timeline, oldest first. */
  public record Timeline(UUID jobId, List<JobEvent> events) {}
}
