package com.kddm.workers;

import ai.djl.Device;
import com.kddm.jobs.ClaimedJob;
import com.kddm.jobs.JobQueue;
import com.kddm.system.WorkerRole;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker loop: one job at a time (DJL's PyTorch engine allows one gradient collector per
 * process), a heartbeat that renews the lease and learns of cancellations while it trains, and a
 * poll when the queue is empty. Stopping the process (SIGTERM) makes the current job hand itself
 * back within {@code kddm.worker.shutdown-grace}.
 */
@WorkerRole
@Component
class JobWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  private final JobQueue queue;
  private final JobRunner runner;
  private final WorkerRegistry registry;
  private final WorkerProperties properties;
  private final String workerId;
  private final Device device;
  // Made on each start: a stopped context may be started again (Spring pauses and restarts contexts).
  private ScheduledExecutorService heartbeats;
  private final AtomicReference<Current> current = new AtomicReference<>();
  private volatile boolean running;
  private Thread loop;

  /** The job in hand and the signal that stops it. */
  private record Current(ClaimedJob job, StopSignal stop) {}

  JobWorker(JobQueue queue, JobRunner runner, WorkerRegistry registry, WorkerProperties properties) {
    this.queue = queue;
    this.runner = runner;
    this.registry = registry;
    this.properties = properties;
    this.workerId = properties.workerId();
    this.device = WorkerDevice.resolve(properties.device());
  }

  @Override
  public synchronized void start() {
    registry.register(workerId, hostName(), WorkerDevice.describe(device));
    running = true;
    long every = properties.heartbeatInterval().toMillis();
    heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kddm-heartbeat"));
    heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    loop = daemon(this::work, "kddm-worker");
    loop.start();
    log.info("Worker {} started on {}", workerId, device);
  }

  @Override
  public synchronized void stop() {
    running = false;
    Current busy = current.get();
    if (busy != null) {
      busy.stop().raise(StopSignal.Reason.SHUTDOWN);
    }
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(properties.shutdownGrace().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (heartbeats != null) {
      heartbeats.shutdownNow();
    }
    try {
      registry.stopped(workerId);
    } catch (RuntimeException e) {
      log.warn("Worker {} could not record that it stopped: {}", workerId, e.toString());
    }
    log.info("Worker {} stopped", workerId);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stop before the web server and the database pool, so the job can still be handed back. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 1000;
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
        if (!running) {
          return;
        }
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
    StopSignal stop = new StopSignal();
    current.set(new Current(job, stop));
    if (!running) {
      stop.raise(StopSignal.Reason.SHUTDOWN);
    }
    try {
      beat();
      runner.run(job, stop, device);
    } finally {
      current.set(null);
      beat();
    }
  }

  /** Renews the lease of the job in hand, and tells the registry this worker is alive. */
  private void beat() {
    Current busy = current.get();
    try {
      if (busy != null) {
        switch (queue.renew(busy.job(), properties.leaseDuration())) {
          case LOST -> busy.stop().raise(StopSignal.Reason.LEASE_LOST);
          case CANCEL_REQUESTED -> busy.stop().raise(StopSignal.Reason.CANCEL_REQUESTED);
          case HELD -> { }
        }
      }
      registry.beat(workerId, busy == null ? null : busy.job().id());
    } catch (RuntimeException e) {
      // A missed beat is not a lost lease; the lease outlives several beats.
      log.warn("Worker {} missed a heartbeat: {}", workerId, e.toString());
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
