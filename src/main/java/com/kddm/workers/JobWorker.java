package com.kddm.workers;

import com.kddm.jobs.ClaimedJob;
import com.kddm.jobs.JobQueue;
import com.kddm.system.WorkerRole;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker loop: one job at a time (DJL's PyTorch engine allows one gradient collector per
 * process), a heartbeat that renews the lease while it trains, and a poll when the queue is empty.
 */
@WorkerRole
@Component
class JobWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  private final JobQueue queue;
  private final JobRunner runner;
  private final WorkerProperties properties;
  private final String workerId;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kddm-heartbeat"));
  private volatile boolean running;
  private Thread loop;

  JobWorker(JobQueue queue, JobRunner runner, WorkerProperties properties) {
    this.queue = queue;
    this.runner = runner;
    this.properties = properties;
    this.workerId = properties.workerId();
  }

  @Override
  public synchronized void start() {
    running = true;
    loop = daemon(this::work, "kddm-worker");
    loop.start();
    log.info("Worker {} started", workerId);
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(properties.leaseDuration().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    heartbeats.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void work() {
    while (running) {
      try {
        Optional<ClaimedJob> claimed = queue.claim(workerId, properties.leaseDuration());
        if (claimed.isPresent()) {
          train(claimed.get());
        } else {
          Thread.sleep(properties.pollInterval().toMillis());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The database may be restarting; try again after a pause rather than end the loop.
        log.warn("Worker {} could not poll the queue: {}", workerId, e.toString());
        try {
          Thread.sleep(properties.pollInterval().toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void train(ClaimedJob job) {
    AtomicBoolean leaseLost = new AtomicBoolean();
    long every = properties.heartbeatInterval().toMillis();
    ScheduledFuture<?> heartbeat =
        heartbeats.scheduleWithFixedDelay(() -> renew(job, leaseLost), every, every, TimeUnit.MILLISECONDS);
    try {
      runner.run(job, leaseLost, () -> !running);
    } finally {
      heartbeat.cancel(false);
    }
  }

  private void renew(ClaimedJob job, AtomicBoolean leaseLost) {
    try {
      if (!queue.renew(job, properties.leaseDuration())) {
        leaseLost.set(true);
      }
    } catch (RuntimeException e) {
      // A missed beat is not a lost lease; the lease outlives several beats.
      log.warn("Worker {} could not renew the lease on job {}: {}", workerId, job.id(), e.toString());
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
