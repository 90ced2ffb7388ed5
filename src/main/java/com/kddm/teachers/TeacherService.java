package com.kddm.teachers;

import com.kddm.architectures.Architecture;
import com.kddm.architectures.InputShape;
import com.kddm.datasets.DatasetService;
import com.kddm.storage.ArtifactDownload;
import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.system.ApiException;
import com.kddm.training.InvalidDataException;
import com.kddm.training.Network;
import com.kddm.training.Normalization;
import com.kddm.training.TeacherModel;
import com.kddm.training.TorchScriptTeacher;
import com.kddm.training.TorchvisionSafetensors;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;

@Service
public class TeacherService {

  private final TeacherRepository teachers;
  private final BlobStore blobs;
  private final FinishedStudents finishedStudents;
  private final DatasetService datasets;
  private final Clock clock;

  TeacherService(TeacherRepository teachers, BlobStore blobs, FinishedStudents finishedStudents,
      DatasetService datasets, Clock clock) {
    this.teachers = teachers;
    this.blobs = blobs;
    this.finishedStudents = finishedStudents;
    this.datasets = datasets;
    this.clock = clock;
  }

  TeacherResponse registerFromJob(RegisterTeacherRequest request) throws IOException {
    FinishedStudents.Lookup lookup =
        finishedStudents.studentOf(request.fromJob()).orElseThrow(() -> ApiException.notFound("job", request.fromJob()));
    if (lookup instanceof FinishedStudents.Missing missing) {
      throw ApiException.conflict("job " + request.fromJob() + " has no trained student: " + missing.reason());
    }
    String sourceKey = ((FinishedStudents.Found) lookup).blobKey();
    UUID id = UUID.randomUUID();
    StoredBlob blob = blobs.copy(sourceKey, key(id, TeacherFormat.KDDM));
    return register(id, request.name(), blob, Teacher.Source.JOB, TeacherFormat.KDDM, request.fromJob(), null, null,
        null);
  }

  /**
   * Registers an uploaded file: a student archive of this service; a TorchScript module, which
   * needs the input shape it takes (given, or read from a dataset); or a safetensors state dict with
   * torchvision's names, which needs the input shape and the catalog architecture it is for.
   */
  TeacherResponse registerUpload(UploadedTeacher upload, InputStream file) throws IOException {
    UUID id = UUID.randomUUID();
    StoredBlob staged = blobs.write("teachers/" + id + ".upload", file);
    try {
      TeacherFormat format = TeacherFormat.detect(blobs.localFile(staged.key()));
      if (format == null) {
        throw new InvalidDataException("the file is neither a student archive of this service (a ZIP with manifest.json"
            + " and parameters.djl), nor a TorchScript module (torch.jit.save), nor a safetensors state dict");
      }
      Architecture architecture = format == TeacherFormat.SAFETENSORS ? torchvisionArchitectureOf(upload) : null;
      InputShape input = format == TeacherFormat.KDDM ? null : inputShapeOf(upload, format);
      if (format == TeacherFormat.KDDM && upload.inputNormalization() != null) {
        throw ApiException.badField("inputMean", "a student archive of this service records the normalisation it was"
            + " trained with (manifest.json, inputNormalization); inputMean and inputStd are for TorchScript and"
            + " safetensors teachers");
      }
      if (upload.inputNormalization() != null && input != null && upload.inputNormalization().mean().length != input.channels()) {
        throw ApiException.badField("inputMean", "has " + upload.inputNormalization().mean().length
            + " value(s) but the teacher takes " + input.channels() + "-channel images; give one value per channel");
      }
      StoredBlob blob = blobs.move(staged, key(id, format));
      String expected = architecture != null ? architecture.id() : upload.architecture();
      return register(id, upload.name(), blob, Teacher.Source.UPLOAD, format, null, expected, input,
          upload.inputNormalization());
    } finally {
      blobs.delete(staged.key());
    }
  }

  /** The catalog architecture a safetensors state dict is for; it must have torchvision names. */
  private static Architecture torchvisionArchitectureOf(UploadedTeacher upload) {
    String supported = String.join(", ", TorchvisionSafetensors.supportedIds());
    if (upload.architecture() == null || upload.architecture().isBlank()) {
      throw ApiException.badField("architecture",
          "a safetensors state dict needs the catalog architecture whose torchvision keys it holds: one of " + supported);
    }
    Architecture architecture;
    try {
      architecture = Architecture.named(upload.architecture().strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("architecture", e.getMessage());
    }
    if (!TorchvisionSafetensors.supports(architecture)) {
      throw new InvalidDataException(architecture.id() + " has no torchvision counterpart, so a safetensors state dict"
          + " cannot be read as one; safetensors teachers are " + supported);
    }
    return architecture;
  }

  private InputShape inputShapeOf(UploadedTeacher upload, TeacherFormat format) {
    if (upload.inputShape() != null) {
      return upload.inputShape();
    }
    if (upload.datasetId() != null) {
      return datasets.summary(upload.datasetId())
          .orElseThrow(() -> ApiException.badField("datasetId", "dataset " + upload.datasetId() + " does not exist"))
          .inputShape();
    }
    throw ApiException.badField("inputShape", "a " + (format == TeacherFormat.TORCHSCRIPT ? "TorchScript" : "safetensors")
        + " teacher needs the input shape it takes: give inputShape (e.g. 1,28,28) or a datasetId");
  }

  /** Loads the stored file as a network before anything is recorded; a file that fails is removed. */
  private TeacherResponse register(UUID id, String name, StoredBlob blob, Teacher.Source source, TeacherFormat format,
      UUID jobId, String expectedArchitecture, InputShape input, Normalization normalization) throws IOException {
    try (TeacherModel model = open(format, blob.key(), input, expectedArchitecture, normalization)) {
      String architecture = model instanceof Network network ? network.spec().name() : "torchscript";
      if (expectedArchitecture != null && !expectedArchitecture.equalsIgnoreCase(architecture)) {
        throw new InvalidDataException("the file holds a '" + architecture + "' network, not the '"
            + expectedArchitecture + "' named in the request");
      }
      Teacher teacher = new Teacher(id, name == null || name.isBlank() ? "teacher-" + id : name.strip(),
          architecture, model.featureSize(), model.inputShape(), model.classes(), source, format, jobId,
          blob.key(), blob.sha256(), blob.bytes(), clock.instant().truncatedTo(ChronoUnit.MICROS))
          .normalizingInputsWith(model.inputNormalization());
      return TeacherResponse.of(teachers.save(teacher));
    } catch (IOException | RuntimeException e) {
      blobs.delete(blob.key());
      throw e;
    }
  }

  /** Loads a stored teacher file; {@code architecture} is the catalog id a safetensors file is for. */
  private TeacherModel open(TeacherFormat format, String key, InputShape input, String architecture,
      Normalization normalization) throws IOException {
    return open(format, key, input, architecture, normalization, ai.djl.engine.Engine.getInstance().defaultDevice());
  }

  /**
   * Loads a stored teacher file. A student archive carries its own input normalisation; a
   * safetensors file may (one downloaded from this service does), and {@code normalization}
   * replaces it when given; a TorchScript module without one takes [0, 1] inputs as they are.
   */
  private TeacherModel open(TeacherFormat format, String key, InputShape input, String architecture,
      Normalization normalization, ai.djl.Device device) throws IOException {
    return switch (format) {
      case TORCHSCRIPT -> TorchScriptTeacher.load(blobs.localFile(key), input,
          normalization == null ? Normalization.NONE : normalization, device);
      case SAFETENSORS -> {
        try (InputStream in = new BufferedInputStream(blobs.open(key), 1 << 16)) {
          Network network = TorchvisionSafetensors.read(in,
              Architecture.named(architecture.strip().toLowerCase(Locale.ROOT)), input, device);
          try {
            yield normalization == null ? network : network.normalizingInputsWith(normalization);
          } catch (RuntimeException e) {
            network.close();
            throw e;
          }
        }
      }
      case KDDM -> {
        try (InputStream in = blobs.open(key)) {
          yield Network.read(in, device);
        }
      }
    };
  }

  TeacherResponse get(UUID id) {
    return TeacherResponse.of(teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id)));
  }

  List<TeacherResponse> list(int limit) {
    return teachers.findAllByOrderByCreatedAtDesc(Limit.of(limit)).stream().map(TeacherResponse::of).toList();
  }

  /** What a job needs to know of the teacher; inside a submission it holds the row until the job is recorded. */
  public Optional<TeacherSummary> summary(UUID id) {
    return teachers.findAndHold(id)
        .map(t -> new TeacherSummary(t.id(), t.architecture(), t.featureSize(), t.shape(), t.classes()));
  }

  /** Loads a teacher's network on {@code device}, where the worker trains; the caller closes it. */
  public TeacherModel load(UUID id, ai.djl.Device device) throws IOException {
    Teacher teacher = teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id));
    return open(teacher.format(), teacher.blobKey(), teacher.shape(), teacher.architecture(),
        teacher.inputNormalization(), device);
  }

  /** Deletes the teacher and its file, unless an unfinished job uses it. */
  void delete(UUID id) {
    Teacher teacher = teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id));
    if (teachers.deleteUnlessInUse(id) == 0) {
      throw ApiException.conflict("teacher " + id + " is used by " + teachers.unfinishedJobsUsing(id)
          + " unfinished job(s); cancel them or wait for them to end");
    }
    blobs.delete(teacher.blobKey());
  }

  /** The teacher's file, as stored. */
  ArtifactDownload file(UUID id) {
    Teacher teacher = teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id));
    return new ArtifactDownload(blobs.resource(teacher.blobKey()), teacher.sha256(),
        "teacher-" + id + teacher.format().fileExtension(), org.springframework.http.MediaType.APPLICATION_OCTET_STREAM);
  }

  private static String key(UUID id, TeacherFormat format) {
    return "teachers/" + id + format.fileExtension();
  }
}
