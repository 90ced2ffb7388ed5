package com.kddm.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A job a worker holds a lease on. {@code owner} and {@code attempt} together are the fencing
 * token: every write by the worker names both, so a worker whose lease expired cannot overwrite
 * the job once it was handed to another.
 *
 * @param firstStarted when any worker first started the job; {@code maxRunTime} counts from it
 */
public record ClaimedJob(
    UUID id, String owner, int attempt, UUID datasetId, UUID teacherId, JobSpec spec, Instant firstStarted,
    Duration maxRunTime) {}
