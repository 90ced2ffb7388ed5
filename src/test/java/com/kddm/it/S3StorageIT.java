package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.S3Server;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The whole user story with artifacts in an S3 bucket (a real S3-compatible server, S3Proxy, in
 * this JVM): upload, train, distil from a TorchScript teacher (which libtorch must read from a
 * file), download with ranges and conditional requests, fail an upload or two, delete everything,
 * and find the bucket empty. A database of its own keeps the shared test worker away from its jobs.
 */
// Its own context is closed after the class: left open, its worker would race the database's shutdown at exit.
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class S3StorageIT extends HttpTest {

  static final TestDatabase.Connection DB = TestDatabase.database("kddm_s3");
  static final String BUCKET = S3Server.get().bucket("kddm-it");
  static final Path CACHE;
  static final LabelledImages DATA = SyntheticImages.generate(120, 4, 28, 71);

  static {
    try {
      CACHE = Files.createTempDirectory("kddm-s3-cache");
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::url);
    registry.add("spring.datasource.username", DB::username);
    registry.add("spring.datasource.password", DB::password);
    registry.add("kddm.storage.type", () -> "s3");
    registry.add("kddm.storage.s3.endpoint", () -> S3Server.get().endpoint().toString());
    registry.add("kddm.storage.s3.bucket", () -> BUCKET);
    registry.add("kddm.storage.s3.path-style", () -> "true");
    registry.add("kddm.storage.s3.access-key", () -> S3Server.ACCESS_KEY);
    registry.add("kddm.storage.s3.secret-key", () -> S3Server.SECRET_KEY);
    registry.add("kddm.storage.s3.prefix", () -> "kddm");
    registry.add("kddm.storage.s3.cache-dir", CACHE::toString);
    // Nothing may land in the local folder: point it somewhere the test can look at.
    registry.add("kddm.storage.root", () -> CACHE.resolve("local-root-unused").toString());
    registry.add("kddm.worker.poll-interval", () -> "100ms");
    registry.add("kddm.worker.lease-duration", () -> "4s");
    registry.add("kddm.worker.heartbeat-interval", () -> "500ms");
    registry.add("kddm.worker.progress-interval", () -> "100ms");
    registry.add("kddm.worker.sweep-interval", () -> "500ms");
    registry.add("kddm.worker.retry-backoff", () -> "200ms");
    registry.add("kddm.worker.id", () -> "s3-worker");
    registry.add("kddm.worker.device", () -> "cpu");
  }

  @Test
  void aUserStoryWithArtifactsInABucketLeavesNoObjectBehind() throws Exception {
    awaitSharedWorkerIdle();
    assertThat(objects()).isEmpty();

    // A file that is not IDX is refused, and nothing of it stays in the bucket.
    HttpResponse<String> refused = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", "not an idx file".getBytes()).file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(objects()).isEmpty();

    byte[] images = SyntheticImages.imagesIdx(DATA, true);
    HttpResponse<String> uploaded = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i.gz", images).file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)));
    assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
    UUID dataset = id(json(uploaded));
    assertThat(objects()).allMatch(k -> k.startsWith("kddm/datasets/" + dataset + "/")).hasSize(2);
    HttpResponse<byte[]> datasetRange = bytes("/v1/datasets/" + dataset + "/files/trainImages", "bytes=100-199", null);
    assertThat(datasetRange.statusCode()).isEqualTo(206);
    assertThat(datasetRange.body()).containsExactly(Arrays.copyOfRange(images, 100, 200));
    assertThat(datasetRange.headers().firstValue("ETag")).hasValue("\"" + sha256(images) + "\"");

    // A teacher file that is none of the formats is refused; its staged upload goes too.
    HttpResponse<String> badTeacher = postMultipart("/v1/teachers", new Multipart()
        .file("file", "t.pt", new byte[1000]).field("inputShape", "1,28,28"));
    assertThat(badTeacher.statusCode()).as(badTeacher.body()).isEqualTo(422);
    assertThat(objects()).noneMatch(k -> k.contains("teachers/"));

    // A teacher trained here, and one from PyTorch that libtorch loads from a cached local file.
    UUID teacherJob = submit("""
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 16}, "training": {"epochs": 1, "batchSize": 32}}"""
        .formatted(dataset));
    JsonNode trained = awaitTerminal(teacherJob);
    assertThat(trained.get("state").asString()).as(trained.toString()).isEqualTo("SUCCEEDED");
    UUID fromJob = id(json(postJson("/v1/teachers", "{\"fromJob\": \"" + teacherJob + "\"}")));
    byte[] torchscript = Files.readAllBytes(Path.of(getClass().getResource("/teachers/tiny-cnn.pt").toURI()));
    HttpResponse<String> registered = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", torchscript).field("datasetId", dataset.toString()));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    UUID pytorch = id(json(registered));
    HttpResponse<byte[]> teacherFile = bytes("/v1/teachers/" + pytorch + "/file", null, null);
    assertThat(teacherFile.statusCode()).isEqualTo(200);
    assertThat(teacherFile.body()).isEqualTo(torchscript);
    assertThat(teacherFile.headers().firstValue("ETag")).hasValue("\"" + sha256(torchscript) + "\"");

    UUID distilled = submit("""
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "distillation": {"distance": "w2", "lambda": 0.05}, "training": {"epochs": 1, "batchSize": 32}}"""
        .formatted(dataset, pytorch));
    JsonNode done = awaitTerminal(distilled);
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");

    // The student: whole, a range, several ranges, a range past the end, and a conditional request.
    String path = "/v1/jobs/" + distilled + "/student";
    HttpResponse<byte[]> student = bytes(path, null, null);
    assertThat(student.statusCode()).isEqualTo(200);
    byte[] archive = student.body();
    String sha = done.get("result").get("studentSha256").asString();
    assertThat(sha256(archive)).isEqualTo(sha);
    assertThat(student.headers().firstValue("ETag")).hasValue("\"" + sha + "\"");
    assertThat(student.headers().firstValue("Repr-Digest")).hasValueSatisfying(v -> assertThat(v).startsWith("sha-256=:"));
    assertThat(student.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(v -> assertThat(v).contains("student-" + distilled + ".zip"));

    int n = archive.length;
    HttpResponse<byte[]> tail = bytes(path, "bytes=" + (n - 100) + "-", null);
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes " + (n - 100) + "-" + (n - 1) + "/" + n);
    assertThat(tail.body()).containsExactly(Arrays.copyOfRange(archive, n - 100, n));
    HttpResponse<byte[]> two = bytes(path, "bytes=0-9,50-59", null);
    assertThat(two.statusCode()).isEqualTo(206);
    assertThat(two.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("multipart/byteranges"));
    String parts = new String(two.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(parts).contains("Content-Range: bytes 0-9/" + n, "Content-Range: bytes 50-59/" + n)
        .contains(new String(Arrays.copyOfRange(archive, 50, 60), java.nio.charset.StandardCharsets.ISO_8859_1));
    HttpResponse<byte[]> past = bytes(path, "bytes=" + (n + 10) + "-", null);
    assertThat(past.statusCode()).isEqualTo(416);
    assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes */" + n);
    assertThat(bytes(path, null, "\"" + sha + "\"").statusCode()).isEqualTo(304);

    // Deleting everything empties the bucket: no orphan object, no unfinished upload.
    for (String gone : List.of("/v1/jobs/" + distilled, "/v1/jobs/" + teacherJob, "/v1/teachers/" + fromJob,
        "/v1/teachers/" + pytorch, "/v1/datasets/" + dataset)) {
      assertThat(delete(gone).statusCode()).as(gone).isEqualTo(204);
    }
    assertThat(objects()).isEmpty();
    assertThat(filesUnder(CACHE.resolve("spool"))).as("spooled uploads").isEmpty();
    assertThat(filesUnder(CACHE.resolve("files"))).as("cached copies of deleted artifacts").isEmpty();
    assertThat(CACHE.resolve("local-root-unused")).as("the local store").doesNotExist();
  }

  /** Objects and unfinished multipart uploads in the bucket. */
  private static List<String> objects() {
    return S3Server.get().contents(BUCKET);
  }

  /**
   * DJL trains one job per JVM at a time, and the shared test context's worker lives in this JVM
   * too: start once it has nothing left to train.
   */
  private static void awaitSharedWorkerIdle() throws InterruptedException {
    TestDatabase.Connection shared = TestDatabase.get();
    JdbcClient jdbc = JdbcClient.create(new org.springframework.jdbc.datasource.DriverManagerDataSource(
        shared.url(), shared.username(), shared.password()));
    if (jdbc.sql("select count(*) from information_schema.tables where table_name = 'jobs'").query(Long.class)
        .single() == 0) {
      return; // no shared context has started in this run
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (jdbc.sql("select count(*) from jobs where state in ('QUEUED', 'RUNNING', 'CANCELLING')").query(Long.class)
        .single() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  private UUID submit(String body) throws Exception {
    HttpResponse<String> accepted = postJson("/v1/jobs", body);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    return id(json(accepted));
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> bytes(String path, String range, String ifNoneMatch) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (range != null) {
      request.header("Range", range);
    }
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static List<Path> filesUnder(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
