package com.kddm.workers;

import ai.djl.Device;
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
import com.kddm.training.Checkpoint;
import com.kddm.training.CheckpointMismatchException;
import com.kddm.training.DistillationSettings;
import com.kddm.training.DistillationTrainer;
import com.kddm.training.EpochMetrics;
import com.kddm.training.InvalidDataException;
import com.kddm.training.Normalization;
import com.kddm.training.TeacherModel;
import com.kddm.training.TrainingDivergedException;
import com.kddm.training.TrainingListener;
import com.kddm.training.TrainingPlan;
import com.kddm.training.TrainingSettings;
import com.kddm.training.TrainingStoppedException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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

  /** Trains the job until it ends, is cancelled, times out, loses its lease or the worker stops. */
  void run(ClaimedJob job, StopSignal stop, Device device) {
    log.info("Job {} attempt {} starts on {} ({})", job.id(), job.attempt(), job.owner(), device);
    Progress progress = new Progress(job, stop);
    try {
      DatasetContent data = datasets.load(job.datasetId());
      JobSpec spec = job.spec();
      try (TeacherModel teacher = job.teacherId() == null ? null : teachers.load(job.teacherId(), device)) {
        TrainingPlan plan = new TrainingPlan(data.train(), data.test(),
            new ArchitectureSpec(spec.student().architecture(), spec.student().featureSize()), teacher,
            spec.distillation() == null ? null
                : new DistillationSettings(DistanceKind.named(spec.distillation().distance()),
                    spec.distillation().parameters(), (float) spec.distillation().lambda()),
            settings(spec.training()),
            spec.training().normalizesWithDatasetStatistics() ? data.normalization() : Normalization.NONE);
        Checkpoint resumeFrom = resumePoint(job);
        queue.discardEpochsAfter(job, resumeFrom == null ? 0 : resumeFrom.completedEpochs());
        try (DistillationTrainer.Outcome outcome = train(new DistillationTrainer(device), plan, progress, resumeFrom, job)) {
          finish(job, outcome, device);
        }
      }
    } catch (TrainingStoppedException e) {
      stopped(job, stop.reason());
    } catch (InvalidDataException | TrainingDivergedException | IllegalArgumentException e) {
      // The job itself cannot train: another attempt would fail the same way.
      fail(job, e.getMessage());
    } catch (IOException | RuntimeException e) {
      Duration backoff = properties.backoff(job.attempt());
      log.warn("Job {} attempt {} met an infrastructure error; retrying after {}", job.id(), job.attempt(), backoff, e);
      if (queue.retry(job, "infrastructure error: " + e, backoff)) {
        meters.counter("kddm.jobs.retried").increment();
      }
    }
  }

  private DistillationTrainer.Outcome train(DistillationTrainer trainer, TrainingPlan plan, Progress progress,
      Checkpoint resumeFrom, ClaimedJob job) {
    try {
      return trainer.train(plan, progress, resumeFrom);
    } catch (CheckpointMismatchException e) {
      // A checkpoint that no longer fits costs the progress, not the job.
      queue.note(job, "the checkpoint could not be resumed (" + e.getMessage() + "); training starts over");
      queue.forgetCheckpoint(job);
      queue.discardEpochsAfter(job, 0);
      return trainer.train(plan, progress, null);
    }
  }

  /** The job's last checkpoint, read back from storage, or null to start from the beginning. */
  private Checkpoint resumePoint(ClaimedJob job) throws IOException {
    Optional<JobQueue.StoredCheckpoint> stored = queue.checkpointOf(job);
    if (stored.isEmpty()) {
      return null;
    }
    try (InputStream in = blobs.open(stored.get().blob())) {
      Checkpoint checkpoint = Checkpoint.read(in);
      queue.note(job, "resumed from the checkpoint after epoch " + checkpoint.completedEpochs()
          + (checkpoint.atEpochEnd() ? "" : " and " + checkpoint.stepsIntoEpoch() + " steps into the next")
          + " (step " + checkpoint.globalStep() + ")");
      return checkpoint;
    } catch (InvalidDataException | java.nio.file.NoSuchFileException e) {
      queue.note(job, "the stored checkpoint is unreadable (" + e.getMessage() + "); training starts over");
      queue.forgetCheckpoint(job);
      return null;
    }
  }

  private void stopped(ClaimedJob job, StopSignal.Reason reason) {
    switch (reason) {
      case LEASE_LOST -> log.warn("Job {} attempt {} lost its lease; another worker owns it now", job.id(), job.attempt());
      case CANCEL_REQUESTED -> {
        if (queue.cancelled(job)) {
          meters.counter("kddm.jobs.finished", "state", "CANCELLED").increment();
          log.info("Job {} cancelled", job.id());
        }
      }
      case SHUTDOWN -> {
        if (queue.release(job, "worker " + job.owner() + " shut down")) {
          log.info("Job {} handed back to the queue: this worker is shutting down", job.id());
        }
      }
      case TIMED_OUT -> fail(job, "the job ran longer than its maximum run time of " + job.maxRunTime().toSeconds() + " s");
    }
  }

  private static TrainingSettings settings(JobSpec.TrainingSpec t) {
    return new TrainingSettings(t.epochs(), t.batchSize(), (float) t.learningRate(), t.optimizer(), (float) t.momentum(),
        (float) t.weightDecay(), t.schedule(), (float) t.finalLearningRate(), t.stepEpochs(), (float) t.stepGamma(),
        t.augmentation(), t.cropPadding(), t.seed(), t.validationFraction());
  }

  private void finish(ClaimedJob job, DistillationTrainer.Outcome outcome, Device device) throws IOException {
    Map<String, String> provenance = provenance(job, device);
    String key = "students/" + job.id() + "-attempt-" + job.attempt() + ".zip";
    StoredBlob blob = blobs.write(key, out -> outcome.student().write(out, outcome.evaluation(), provenance));
    JobResult result = new JobResult(outcome.evaluation(), outcome.teacherEvaluation(), blob.sha256(), blob.bytes(), provenance);
    if (queue.succeed(job, key, result)) {
      blobs.delete(checkpointKey(job));
      meters.counter("kddm.jobs.finished", "state", "SUCCEEDED").increment();
      log.info("Job {} trained: {} accuracy {}", job.id(), outcome.evaluation().split(), outcome.evaluation().accuracy());
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

  private static Map<String, String> provenance(ClaimedJob job, Device device) {
    Engine engine = Engine.getInstance();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("jobId", job.id().toString());
    provenance.put("attempt", Integer.toString(job.attempt()));
    provenance.put("worker", job.owner());
    provenance.put("seed", Long.toString(job.spec().training().seed()));
    provenance.put("device", WorkerDevice.describe(device));
    provenance.put("djl", Engine.getDjlVersion());
    provenance.put("engine", engine.getEngineName() + " " + engine.getVersion());
    provenance.put("java", Runtime.version().toString());
    return provenance;
  }

  private static String checkpointKey(ClaimedJob job) {
    return "checkpoints/" + job.id() + ".ckpt";
  }

  /** Writes progress and epochs through the fenced queue and stops training when told to. */
  private final class Progress implements TrainingListener {
    private final ClaimedJob job;
    private final StopSignal stop;
    private final long intervalNanos = properties.progressInterval().toNanos();
    private long lastWrite = System.nanoTime();

    Progress(ClaimedJob job, StopSignal stop) {
      this.job = job;
      this.stop = stop;
    }

    @Override
    public void onStep(int epoch, long step, long totalSteps) {
      if (System.nanoTime() - lastWrite >= intervalNanos || step == totalSteps) {
        owned(queue.progress(job, epoch, step, totalSteps));
        lastWrite = System.nanoTime();
      }
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
      owned(queue.recordEpoch(job, metrics));
      meters.timer("kddm.training.epoch", "architecture", job.spec().student().architecture())
          .record(Duration.ofNanos((long) (metrics.seconds() * 1e9)));
    }

    @Override
    public long checkpointEverySteps() {
      return properties.checkpointEverySteps();
    }

    /** A worker that is shutting down saves the steps since the last checkpoint. */
    @Override
    public boolean checkpointWhenStopped() {
      return stop.reason() == StopSignal.Reason.SHUTDOWN;
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
      if (stop.reason() == StopSignal.Reason.LEASE_LOST) {
        return;
      }
      try {
        // One file per job, replaced atomically: a reader sees the old checkpoint or the new one.
        blobs.write(checkpointKey(job), checkpoint::write);
        owned(queue.recordCheckpoint(job, checkpointKey(job), checkpoint.completedEpochs(), checkpoint.globalStep()));
      } catch (IOException e) {
        // Training goes on; a later checkpoint may succeed, and at worst a resume repeats work.
        log.warn("Job {}: could not store a checkpoint: {}", job.id(), e.toString());
      }
    }

    @Override
    public boolean shouldStop() {
      if (Instant.now().isAfter(job.firstStarted().plus(job.maxRunTime()))) {
        stop.raise(StopSignal.Reason.TIMED_OUT);
      }
      return stop.raised();
    }

    private void owned(boolean stillOwned) {
      if (!stillOwned) {
        stop.raise(StopSignal.Reason.LEASE_LOST);
      }
    }
  }
}
