package com.kddm.teachers;

import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.system.ApiException;
import com.kddm.training.InvalidDataException;
import com.kddm.training.Network;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;

@Service
public class TeacherService {

  private final TeacherRepository teachers;
  private final BlobStore blobs;
  private final FinishedStudents finishedStudents;
  private final Clock clock;

  TeacherService(TeacherRepository teachers, BlobStore blobs, FinishedStudents finishedStudents, Clock clock) {
    this.teachers = teachers;
    this.blobs = blobs;
    this.finishedStudents = finishedStudents;
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
    StoredBlob blob = blobs.copy(sourceKey, key(id));
    return register(id, request.name(), blob, Teacher.Source.JOB, request.fromJob(), null);
  }

  TeacherResponse registerUpload(String name, String architecture, InputStream file) throws IOException {
    UUID id = UUID.randomUUID();
    StoredBlob blob = blobs.write(key(id), file);
    return register(id, name, blob, Teacher.Source.UPLOAD, null, architecture);
  }

  /** Loads the stored file as a network before anything is recorded; a file that fails is removed. */
  private TeacherResponse register(UUID id, String name, StoredBlob blob, Teacher.Source source, UUID jobId,
      String expectedArchitecture) throws IOException {
    try (InputStream in = blobs.open(blob.key()); Network network = Network.read(in)) {
      if (expectedArchitecture != null && !expectedArchitecture.equalsIgnoreCase(network.spec().name())) {
        throw new InvalidDataException("the file holds a '" + network.spec().name() + "' network, not the '"
            + expectedArchitecture + "' named in the request");
      }
      Teacher teacher = new Teacher(id, name == null || name.isBlank() ? "teacher-" + id : name.strip(),
          network.spec().name(), network.featureSize(), network.inputShape(), network.classes(), source, jobId,
          blob.key(), blob.sha256(), blob.bytes(), clock.instant().truncatedTo(ChronoUnit.MICROS));
      return TeacherResponse.of(teachers.save(teacher));
    } catch (IOException | RuntimeException e) {
      blobs.delete(blob.key());
      throw e;
    }
  }

  TeacherResponse get(UUID id) {
    return TeacherResponse.of(teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id)));
  }

  List<TeacherResponse> list(int limit) {
    return teachers.findAllByOrderByCreatedAtDesc(Limit.of(limit)).stream().map(TeacherResponse::of).toList();
  }

  public Optional<TeacherSummary> summary(UUID id) {
    return teachers.findById(id)
        .map(t -> new TeacherSummary(t.id(), t.architecture(), t.featureSize(), t.shape(), t.classes()));
  }

  /** Loads a teacher's network; the caller closes it. */
  public Network load(UUID id) throws IOException {
    Teacher teacher = teachers.findById(id).orElseThrow(() -> ApiException.notFound("teacher", id));
    try (InputStream in = blobs.open(teacher.blobKey())) {
      return Network.read(in);
    }
  }

  private static String key(UUID id) {
    return "teachers/" + id + ".zip";
  }
}
