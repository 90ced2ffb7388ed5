package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.S3Server;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import com.kddm.training.Network;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * API and worker in two JVMs that share nothing but the database and the bucket, as on two
 * machines: the worker reads the dataset and a TorchScript teacher the API stored, writes
 * checkpoints and the student into the bucket, and the API serves the student from there.
 */
// Its own context is closed after the class: left open, it would race the database's shutdown at exit.
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class S3WorkerProcessIT extends HttpTest {

  static final TestDatabase.Connection DB = TestDatabase.database("kddm_s3_workers");
  static final String BUCKET = S3Server.get().bucket("kddm-workers");
  static final Path API_CACHE;
  static final Path WORKER_CACHE;
  static final Path UNUSED_ROOT;
  static final LabelledImages DATA = SyntheticImages.generate(240, 4, 28, 81);

  static {
    try {
      API_CACHE = Files.createTempDirectory("kddm-api-cache");
      WORKER_CACHE = Files.createTempDirectory("kddm-worker-cache");
      UNUSED_ROOT = Files.createTempDirectory("kddm-unused-root");
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static Map<String, String> s3(Path cache) {
    return Map.of(
        "kddm.storage.type", "s3",
        "kddm.storage.s3.endpoint", S3Server.get().endpoint().toString(),
        "kddm.storage.s3.bucket", BUCKET,
        "kddm.storage.s3.path-style", "true",
        "kddm.storage.s3.access-key", S3Server.ACCESS_KEY,
        "kddm.storage.s3.secret-key", S3Server.SECRET_KEY,
        "kddm.storage.s3.cache-dir", cache.toString());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::url);
    registry.add("spring.datasource.username", DB::username);
    registry.add("spring.datasource.password", DB::password);
    registry.add("kddm.storage.root", UNUSED_ROOT::toString);
    s3(API_CACHE).forEach((key, value) -> registry.add(key, () -> value));
    registry.add("kddm.worker.enabled", () -> "false");
  }

  @Test
  void aWorkerInAnotherJvmTrainsFromTheBucketAndTheApiServesItsStudent() throws Exception {
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, true))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, true)))));
    byte[] torchscript = Files.readAllBytes(Path.of(getClass().getResource("/teachers/tiny-cnn.pt").toURI()));
    HttpResponse<String> teacher = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", torchscript).field("datasetId", dataset.toString()));
    assertThat(teacher.statusCode()).as(teacher.body()).isEqualTo(201);
    HttpResponse<String> accepted = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "distillation": {"distance": "w2", "lambda": 0.05}, "training": {"epochs": 2, "batchSize": 32}}"""
        .formatted(dataset, id(json(teacher))));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    UUID job = id(json(accepted));

    Map<String, String> settings = new java.util.HashMap<>(s3(WORKER_CACHE));
    settings.put("kddm.worker.poll-interval", "200ms");
    try (WorkerProcess worker = WorkerProcess.start("s3-remote", DB.url(), DB.username(), DB.password(), UNUSED_ROOT,
        settings)) {
      JsonNode done = awaitJob(job, j -> j.get("finishedAt") != null && !j.get("finishedAt").isNull(),
          Duration.ofMinutes(4));
      assertThat(done.get("state").asString()).as("%s\n%s", done, worker.log()).isEqualTo("SUCCEEDED");
      assertThat(done.get("result").get("provenance").get("worker").asString()).isEqualTo("s3-remote");

      HttpResponse<byte[]> student = http.send(HttpRequest.newBuilder(uri("/v1/jobs/" + job + "/student")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(student.statusCode()).isEqualTo(200);
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(student.body())))
          .isEqualTo(done.get("result").get("studentSha256").asString());
      try (Network network = Network.read(new ByteArrayInputStream(student.body()))) {
        assertThat(network.evaluate(DATA, "train", 64).samples()).isEqualTo(DATA.size());
      }
    }
    // The worker kept its copy of the teacher in its own cache; nothing went to either local root.
    try (Stream<Path> cached = Files.walk(WORKER_CACHE)) {
      assertThat(cached.filter(Files::isRegularFile).map(Path::toString)).anyMatch(p -> p.contains("teachers"));
    }
    try (Stream<Path> local = Files.walk(UNUSED_ROOT)) {
      assertThat(local.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(S3Server.get().contents(BUCKET)).anyMatch(key -> key.startsWith("students/" + job));
  }
}
