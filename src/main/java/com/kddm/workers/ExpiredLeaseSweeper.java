package com.kddm.workers;

import com.kddm.jobs.JobQueue;
import com.kddm.system.WorkerRole;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Returns the jobs of dead workers to the queue; every worker sweeps, the database serialises them. */
@WorkerRole
@Component
class ExpiredLeaseSweeper {

  private static final Logger log = LoggerFactory.getLogger(ExpiredLeaseSweeper.class);

  private final JobQueue queue;

  ExpiredLeaseSweeper(JobQueue queue) {
    this.queue = queue;
  }

  @Scheduled(fixedDelayString = "${kddm.worker.sweep-interval:10s}", initialDelay = 0)
  void sweep() {
    try {
      List<UUID> recovered = queue.recoverExpiredLeases();
      if (!recovered.isEmpty()) {
        log.warn("Recovered jobs whose worker stopped renewing its lease: {}", recovered);
      }
    } catch (RuntimeException e) {
      log.warn("Could not sweep expired leases: {}", e.toString());
    }
  }
}
