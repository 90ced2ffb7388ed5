package com.kddm.jobs;

import com.kddm.architectures.Architecture;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.datasets.DatasetService;
import com.kddm.datasets.DatasetSummary;
import com.kddm.distances.DistanceKind;
import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.system.ApiException;
import com.kddm.teachers.TeacherService;
import com.kddm.teachers.TeacherSummary;
import com.kddm.training.Network;
import com.kddm.training.TorchvisionSafetensors;
import com.kddm.training.TrainingSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class JobService {

  static final int MAX_PAGE_SIZE = 100;

  private final JobRepository jobs;
  private final JobEpochRepository epochs;
  private final JobEvents events;
  private final DatasetService datasets;
  private final TeacherService teachers;
  private final BlobStore blobs;
  private final JobsProperties properties;
  private final Clock clock;
  private final MeterRegistry meters;

  JobService(JobRepository jobs, JobEpochRepository epochs, JobEvents events, DatasetService datasets,
      TeacherService teachers, BlobStore blobs, JobsProperties properties, Clock clock, MeterRegistry meters) {
    this.jobs = jobs;
    this.epochs = epochs;
    this.events = events;
    this.datasets = datasets;
    this.teachers = teachers;
    this.blobs = blobs;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
  }

  /** A submission and whether it was answered from an earlier one with the same idempotency key. */
  record Submitted(JobResponse job, boolean replayed) {}

  /**
   * Queues a job. With an idempotency key, a retry of the same request answers the job the first
   * one created; the same key with a different request is refused.
   */
  @Transactional
  Submitted submit(SubmitJobRequest request, String idempotencyKey) {
    String requestSha256 = null;
    if (idempotencyKey != null) {
      if (idempotencyKey.isBlank() || idempotencyKey.length() > 255) {
        throw ApiException.badField("Idempotency-Key", "must be 1 to 255 characters");
      }
      requestSha256 = sha256(JsonColumns.JSON.writeValueAsBytes(request));
      Optional<Job> earlier = jobs.findByIdempotencyKey(idempotencyKey);
      if (earlier.isPresent()) {
        return new Submitted(replay(earlier.get(), requestSha256), true);
      }
    }
    return new Submitted(create(request, idempotencyKey, requestSha256), false);
  }

  private JobResponse replay(Job earlier, String requestSha256) {
    if (!earlier.requestSha256().equals(requestSha256)) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused",
          "this Idempotency-Key was used for job " + earlier.id() + " with a different request; use a new key",
          List.of(new ApiException.FieldProblem("Idempotency-Key", "reused with a different request")));
    }
    return JobResponse.of(earlier, epochs.findFirstByJobIdOrderByEpochDesc(earlier.id()).orElse(null));
  }

  private JobResponse create(SubmitJobRequest request, String idempotencyKey, String requestSha256) {
    DatasetSummary dataset =
        datasets.summary(request.datasetId())
            .orElseThrow(() -> unprocessable("datasetId", "dataset " + request.datasetId() + " does not exist"));
    TeacherSummary teacher =
        request.teacherId() == null
            ? null
            : teachers.summary(request.teacherId())
                .orElseThrow(() -> unprocessable("teacherId", "teacher " + request.teacherId() + " does not exist"));
    JobSpec spec = resolve(request, teacher);
    try {
      Architecture.named(spec.student().architecture()).checkInput(dataset.inputShape());
    } catch (IllegalArgumentException e) {
      throw unprocessable("student.architecture", e.getMessage());
    }
    if (teacher != null) {
      checkFits(teacher, dataset);
    }
    long maxRunSeconds =
        request.maxRunTimeSeconds() != null ? request.maxRunTimeSeconds() : properties.maxRunTime().toSeconds();
    Job job = Job.queued(UUID.randomUUID(), dataset.id(), request.teacherId(), spec, properties.maxAttempts(),
        maxRunSeconds, idempotencyKey, requestSha256, clock.instant().truncatedTo(ChronoUnit.MICROS));
    jobs.saveAndFlush(job);
    events.record(job.id(), null, JobState.QUEUED, "submitted");
    meters.counter("kddm.jobs.submitted", "kind", teacher == null ? "supervised" : "distillation").increment();
    return JobResponse.of(job, null);
  }

  @Transactional(readOnly = true)
  JobResponse get(UUID id) {
    Job job = find(id);
    return JobResponse.of(job, epochs.findFirstByJobIdOrderByEpochDesc(id).orElse(null));
  }

  @Transactional(readOnly = true)
  JobPage list(Optional<JobState> state, int pageSize, String pageToken) {
    int size = Math.max(1, Math.min(pageSize, MAX_PAGE_SIZE));
    PageToken after = PageToken.decode(pageToken);
    List<Job> rows = jobs.pageAfter(state.map(Enum::name).orElse(null), after.createdAt(), after.id(), size + 1);
    List<Job> page = rows.subList(0, Math.min(size, rows.size()));
    String next = rows.size() > size ? new PageToken(page.get(size - 1).createdAt(), page.get(size - 1).id()).encode() : "";
    java.util.Map<UUID, JobEpoch> latest = page.isEmpty() ? java.util.Map.of()
        : epochs.findLatestOfJobs(page.stream().map(Job::id).toList()).stream()
            .collect(java.util.stream.Collectors.toMap(JobEpoch::jobId, e -> e));
    return new JobPage(page.stream().map(j -> JobResponse.of(j, latest.get(j.id()))).toList(), next);
  }

  /** Deletes a job that has ended, its history and its files; teachers made from it keep their copy. */
  void delete(UUID id) {
    Job job = find(id);
    if (jobs.deleteIfEnded(id) == 0) {
      throw ApiException.conflict("job " + id + " is " + job.state() + "; cancel it and let it end before deleting it");
    }
    blobs.deleteAll("students", id + "-");
    blobs.delete("checkpoints/" + id + ".ckpt");
  }

  /** Cancels a queued job at once; asks the worker of a running one to stop (it ends CANCELLED). */
  @Transactional
  JobResponse cancel(UUID id) {
    // Change the row first: an entity loaded before the update would answer the old state.
    Optional<JobState> after = events.requestCancel(id);
    if (after.isEmpty()) {
      Job job = find(id);
      if (job.state() != JobState.CANCELLING) {
        throw ApiException.conflict("job " + id + " is " + job.state() + " and can no longer be cancelled");
      }
    }
    meters.counter("kddm.jobs.cancel.requested").increment();
    return get(id);
  }

  @Transactional(readOnly = true)
  JobEvent.Timeline events(UUID id) {
    find(id);
    return new JobEvent.Timeline(id, events.of(id));
  }

  @Transactional(readOnly = true)
  JobMetrics metrics(UUID id) {
    find(id);
    return new JobMetrics(id, epochs.findByJobIdOrderByEpoch(id).stream().map(JobMetrics.EpochRecord::of).toList());
  }

  @Transactional(readOnly = true)
  StudentDownload student(UUID id) {
    Job job = find(id);
    if (job.state() != JobState.SUCCEEDED) {
      throw ApiException.conflict("job " + id + " is " + job.state() + "; its student can be downloaded once it has SUCCEEDED");
    }
    return new StudentDownload(id, blobs.resource(job.studentBlob()), job.result().studentSha256(), job.result().studentBytes());
  }

  /**
   * The student's weights as a safetensors state dict with torchvision's key names, for the
   * architectures that have them. The file is derived from the stored archive on the first request
   * and kept beside it ({@code students/<job>-attempt-<n>.safetensors}): the conversion is
   * deterministic (same bytes, same ETag, every time), costs a network load and tens of megabytes
   * of writing that most jobs never need, and this way also serves jobs that finished before the
   * format existed. Two first requests at once both write the same bytes, each moved into place
   * atomically.
   */
  StudentDownload studentAsSafetensors(UUID id) throws IOException {
    Job job = find(id);
    if (job.state() != JobState.SUCCEEDED) {
      throw ApiException.conflict("job " + id + " is " + job.state() + "; its student can be downloaded once it has SUCCEEDED");
    }
    Architecture architecture = Architecture.named(job.spec().student().architecture());
    if (!TorchvisionSafetensors.supports(architecture)) {
      throw ApiException.unprocessable("job " + id + "'s student is a " + architecture.id() + ", which has no torchvision"
          + " counterpart, so there are no torchvision names to write its weights under; format=safetensors is offered"
          + " for " + String.join(", ", TorchvisionSafetensors.supportedIds()) + ". Download the archive (format=zip)"
          + " and read it with com.kddm.training.Network.read.");
    }
    String archive = job.studentBlob();
    String key = (archive.endsWith(".zip") ? archive.substring(0, archive.length() - 4) : archive) + ".safetensors";
    StoredBlob blob;
    if (blobs.exists(key)) {
      blob = blobs.describe(key);
    } else {
      try (InputStream in = blobs.open(archive); Network network = Network.read(in)) {
        blob = blobs.write(key, out -> TorchvisionSafetensors.write(network, new BufferedOutputStream(out, 1 << 16)));
      }
    }
    return new StudentDownload(id, blobs.resource(key), blob.sha256(), blob.bytes());
  }

  private Job find(UUID id) {
    return jobs.findById(id).orElseThrow(() -> ApiException.notFound("job", id));
  }

  private JobSpec resolve(SubmitJobRequest request, TeacherSummary teacher) {
    JobsProperties.Defaults defaults = properties.defaults();
    String architecture = request.student().architecture().toLowerCase(Locale.ROOT);
    if (!Architecture.ids().contains(architecture)) {
      throw ApiException.badField("student.architecture", "unknown architecture '" + request.student().architecture()
          + "', expected one of " + Architecture.ids());
    }
    Architecture student = Architecture.named(architecture);
    int featureSize = request.student().featureSize() != null ? request.student().featureSize()
        : student.fixedFeatureSize().isPresent() ? student.fixedFeatureSize().getAsInt()
        : teacher != null ? teacher.featureSize() : ArchitectureSpec.DEFAULT_FEATURE_SIZE;
    try {
      student.checkFeatureSize(featureSize);
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("student.featureSize", e.getMessage());
    }
    JobSpec.DistillationSpec distillation = null;
    if (request.distillation() != null && teacher == null) {
      throw ApiException.badField("teacherId", "distillation needs a teacher; leave out 'distillation' to train without one");
    }
    if (teacher != null) {
      SubmitJobRequest.DistillationChoice asked =
          request.distillation() == null ? new SubmitJobRequest.DistillationChoice(null, null, null) : request.distillation();
      String distance = asked.distance() == null ? defaults.distance() : asked.distance().toLowerCase(Locale.ROOT);
      if (!DistanceKind.ids().contains(distance)) {
        throw ApiException.badField("distillation.distance", "unknown distance '" + asked.distance()
            + "', expected one of " + DistanceKind.ids());
      }
      Map<String, Object> parameters;
      try {
        parameters = DistanceKind.named(distance).resolve(asked.parameters()).asMap();
      } catch (IllegalArgumentException e) {
        throw ApiException.badField("distillation.parameters", e.getMessage());
      }
      distillation = new JobSpec.DistillationSpec(distance, new java.util.TreeMap<>(parameters),
          asked.lambda() == null ? defaults.lambda() : asked.lambda());
    }
    SubmitJobRequest.TrainingChoice t =
        request.training() == null
            ? new SubmitJobRequest.TrainingChoice(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null)
            : request.training();
    double learningRate = or(t.learningRate(), defaults.learningRate());
    String schedule = choice("training.schedule", t.schedule(), defaults.schedule(), TrainingSettings.SCHEDULES);
    double finalLearningRate = or(t.finalLearningRate(), schedule.equals("cosine") ? learningRate / 100 : learningRate);
    if (finalLearningRate > learningRate) {
      throw ApiException.badField("training.finalLearningRate", "must not exceed learningRate (" + learningRate + ")");
    }
    JobSpec.TrainingSpec training = new JobSpec.TrainingSpec(
        or(t.epochs(), defaults.epochs()),
        or(t.batchSize(), defaults.batchSize()),
        learningRate,
        choice("training.optimizer", t.optimizer(), defaults.optimizer(), TrainingSettings.OPTIMIZERS),
        or(t.momentum(), defaults.momentum()),
        or(t.weightDecay(), defaults.weightDecay()),
        schedule,
        finalLearningRate,
        or(t.stepEpochs(), defaults.stepEpochs()),
        or(t.stepGamma(), defaults.stepGamma()),
        choice("training.augmentation", t.augmentation(), defaults.augmentation(), TrainingSettings.AUGMENTATIONS),
        or(t.cropPadding(), defaults.cropPadding()),
        or(t.seed(), defaults.seed()),
        or(t.validationFraction(), defaults.validationFraction()),
        choice("training.normalization", t.normalization(), defaults.normalization(), JobSpec.NORMALIZATIONS));
    return new JobSpec(new JobSpec.StudentSpec(architecture, featureSize), distillation, training);
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T or(T given, T fallback) {
    return given != null ? given : fallback;
  }

  private static String choice(String field, String given, String fallback, List<String> allowed) {
    String value = given == null ? fallback : given.toLowerCase(Locale.ROOT);
    if (!allowed.contains(value)) {
      throw ApiException.badField(field, "unknown value '" + given + "', expected one of " + allowed);
    }
    return value;
  }

  private static void checkFits(TeacherSummary teacher, DatasetSummary dataset) {
    if (!teacher.inputShape().equals(dataset.inputShape())) {
      throw unprocessable("teacherId", "the teacher takes " + teacher.inputShape() + " inputs but the dataset's images are "
          + dataset.inputShape());
    }
    if (teacher.classes() != dataset.classes()) {
      throw unprocessable("teacherId", "the teacher predicts " + teacher.classes() + " classes but the dataset has "
          + dataset.classes());
    }
  }

  private static ApiException unprocessable(String field, String message) {
    return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Unusable input", field + ": " + message,
        List.of(new ApiException.FieldProblem(field, message)));
  }
}
