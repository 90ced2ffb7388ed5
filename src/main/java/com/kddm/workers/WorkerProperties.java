package com.kddm.workers;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param enabled whether this process trains (see also {@code kddm.api.enabled})
 * @param id this worker's name in leases; empty means host name and process id
 * @param pollInterval how long an idle worker waits before looking for a queued job again
 * @param leaseDuration how long a claim lasts without renewal; a dead worker's job is requeued after it
 * @param heartbeatInterval how often a busy worker renews its lease; well below the lease duration
 * @param progressInterval at most one progress write per interval during an epoch
 * @param sweepInterval how often expired leases are looked for
 * @param device cpu, gpu:N or auto; a GPU that DJL cannot see stops the worker at startup
 * @param retryBackoff the wait before the first retry after an infrastructure error; doubles each attempt
 * @param maxRetryBackoff the longest wait between retries
 * @param shutdownGrace how long a stopping worker may take to checkpoint and hand its job back
 * @param checkpointEverySteps a checkpoint every this many optimisation steps besides the one after
 *     every epoch; 0 for epoch ends only
 */
@Validated
@ConfigurationProperties("kddm.worker")
record WorkerProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("") String id,
    @NotNull @DefaultValue("1s") Duration pollInterval,
    @NotNull @DefaultValue("30s") Duration leaseDuration,
    @NotNull @DefaultValue("5s") Duration heartbeatInterval,
    @NotNull @DefaultValue("1s") Duration progressInterval,
    @NotNull @DefaultValue("10s") Duration sweepInterval,
    @NotNull @DefaultValue("auto") String device,
    @NotNull @DefaultValue("10s") Duration retryBackoff,
    @NotNull @DefaultValue("5m") Duration maxRetryBackoff,
    @NotNull @DefaultValue("30s") Duration shutdownGrace,
    @DefaultValue("0") long checkpointEverySteps) {

  WorkerProperties {
    if (heartbeatInterval.compareTo(leaseDuration.dividedBy(2)) > 0) {
      throw new IllegalArgumentException(
          "kddm.worker.heartbeat-interval (" + heartbeatInterval + ") must be at most half of kddm.worker.lease-duration ("
              + leaseDuration + ")");
    }
  }

  /** The wait before retry number {@code attempt} (1-based): retryBackoff doubled per attempt, capped. */
  Duration backoff(int attempt) {
    Duration wait = retryBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
    return wait.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : wait;
  }

  String workerId() {
    if (!id.isBlank()) {
      return id;
    }
    String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      // keep the environment's name
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
