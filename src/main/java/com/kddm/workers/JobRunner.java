package com.kddm.workers;

import ai.djl.engine.Engine;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.datasets.DatasetContent;
import com.kddm.datasets.DatasetService;
import com.kddm.distances.DistanceKind;
import com.kddm.jobs.ClaimedJob;
import com.kddm.jobs.JobQueue;
import com.kddm.jobs.JobResult;
import com.kddm.jobs.JobSpec;
import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.teachers.TeacherService;
import com.kddm.training.DistillationSettings;
import com.kddm.training.DistillationTrainer;
import com.kddm.training.EpochMetrics;
import com.kddm.training.InvalidDataException;
import com.kddm.training.TeacherModel;
import com.kddm.training.TrainingDivergedException;
import com.kddm.training.TrainingListener;
import com.kddm.training.TrainingPlan;
import com.kddm.training.TrainingSettings;
import com.kddm.training.TrainingStoppedException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Trains one claimed job from its stored inputs to its stored student and terminal state. */
@Component
class JobRunner {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final JobQueue queue;
  private final DatasetService datasets;
  private final TeacherService teachers;
  private final BlobStore blobs;
  private final DistillationTrainer trainer = new DistillationTrainer();
  private final WorkerProperties properties;
  private final MeterRegistry meters;

  JobRunner(JobQueue queue, DatasetService datasets, TeacherService teachers, BlobStore blobs,
      WorkerProperties properties, MeterRegistry meters) {
    this.queue = queue;
    this.datasets = datasets;
    this.teachers = teachers;
    this.blobs = blobs;
    this.properties = properties;
    this.meters = meters;
  }

  /**
   * @param leaseLost set by the heartbeat when the job was taken from this worker
   * @param shuttingDown true once the process is stopping
   */
  void run(ClaimedJob job, AtomicBoolean leaseLost, BooleanSupplier shuttingDown) {
    log.info("Job {} attempt {} starts on {}", job.id(), job.attempt(), job.owner());
    Progress progress = new Progress(job, leaseLost, shuttingDown);
    try {
      DatasetContent data = datasets.load(job.datasetId());
      JobSpec spec = job.spec();
      try (TeacherModel teacher = job.teacherId() == null ? null : teachers.load(job.teacherId())) {
        TrainingPlan plan = new TrainingPlan(data.train(), data.test(),
            new ArchitectureSpec(spec.student().architecture(), spec.student().featureSize()), teacher,
            spec.distillation() == null ? null
                : new DistillationSettings(DistanceKind.named(spec.distillation().distance()),
                    spec.distillation().parameters(), (float) spec.distillation().lambda()),
            settings(spec.training()));
        try (DistillationTrainer.Outcome outcome = trainer.train(plan, progress)) {
          finish(job, outcome);
        }
      }
    } catch (TrainingStoppedException e) {
      if (leaseLost.get()) {
        log.warn("Job {} attempt {} lost its lease; another worker owns it now", job.id(), job.attempt());
      } else if (queue.release(job)) {
        log.info("Job {} returned to the queue: this worker is shutting down", job.id());
      }
    } catch (InvalidDataException | TrainingDivergedException | IllegalArgumentException e) {
      fail(job, e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.error("Job {} failed", job.id(), e);
      fail(job, "internal error while training: " + e);
    }
  }

  private static TrainingSettings settings(JobSpec.TrainingSpec t) {
    return new TrainingSettings(t.epochs(), t.batchSize(), (float) t.learningRate(), t.optimizer(), (float) t.momentum(),
        (float) t.weightDecay(), t.schedule(), (float) t.finalLearningRate(), t.stepEpochs(), (float) t.stepGamma(),
        t.augmentation(), t.cropPadding(), t.seed(), t.validationFraction());
  }

  private void finish(ClaimedJob job, DistillationTrainer.Outcome outcome) throws IOException {
    Map<String, String> provenance = provenance(job);
    String key = "students/" + job.id() + "-attempt-" + job.attempt() + ".zip";
    StoredBlob blob = blobs.write(key, out -> outcome.student().write(out, outcome.evaluation(), provenance));
    JobResult result = new JobResult(outcome.evaluation(), outcome.teacherEvaluation(), blob.sha256(), blob.bytes(), provenance);
    if (queue.succeed(job, key, result)) {
      meters.counter("kddm.jobs.finished", "state", "SUCCEEDED").increment();
      log.info("Job {} succeeded: {} accuracy {}", job.id(), outcome.evaluation().split(), outcome.evaluation().accuracy());
    } else {
      blobs.delete(key);
      log.warn("Job {} attempt {} finished after losing its lease; its result is discarded", job.id(), job.attempt());
    }
  }

  private void fail(ClaimedJob job, String reason) {
    if (queue.fail(job, reason)) {
      meters.counter("kddm.jobs.finished", "state", "FAILED").increment();
      log.info("Job {} failed: {}", job.id(), reason);
    }
  }

  private static Map<String, String> provenance(ClaimedJob job) {
    Engine engine = Engine.getInstance();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("jobId", job.id().toString());
    provenance.put("attempt", Integer.toString(job.attempt()));
    provenance.put("worker", job.owner());
    provenance.put("seed", Long.toString(job.spec().training().seed()));
    provenance.put("device", engine.defaultDevice().toString());
    provenance.put("djl", Engine.getDjlVersion());
    provenance.put("engine", engine.getEngineName() + " " + engine.getVersion());
    provenance.put("java", Runtime.version().toString());
    return provenance;
  }

  /** Writes progress and epochs through the fenced queue and stops training when the lease is gone. */
  private final class Progress implements TrainingListener {
    private final ClaimedJob job;
    private final AtomicBoolean leaseLost;
    private final BooleanSupplier shuttingDown;
    private final long intervalNanos = properties.progressInterval().toNanos();
    private long lastWrite = System.nanoTime();

    Progress(ClaimedJob job, AtomicBoolean leaseLost, BooleanSupplier shuttingDown) {
      this.job = job;
      this.leaseLost = leaseLost;
      this.shuttingDown = shuttingDown;
    }

    @Override
    public void onStep(int epoch, long step, long totalSteps) {
      if (System.nanoTime() - lastWrite >= intervalNanos || step == totalSteps) {
        write(queue.progress(job, epoch, step, totalSteps));
        lastWrite = System.nanoTime();
      }
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
      write(queue.recordEpoch(job, metrics));
      meters.timer("kddm.training.epoch", "architecture", job.spec().student().architecture())
          .record(Duration.ofNanos((long) (metrics.seconds() * 1e9)));
    }

    @Override
    public boolean shouldStop() {
      return leaseLost.get() || shuttingDown.getAsBoolean();
    }

    private void write(boolean stillOwned) {
      if (!stillOwned) {
        leaseLost.set(true);
      }
    }
  }
}
