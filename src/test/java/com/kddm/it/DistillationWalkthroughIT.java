package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import com.kddm.training.Network;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The README's walkthrough, on a small generated dataset: data → teacher → student → download. */
class DistillationWalkthroughIT extends IntegrationTest {

  static final LabelledImages TRAIN = SyntheticImages.generate(360, 4, 28, 11);
  static final LabelledImages TEST = SyntheticImages.generate(120, 4, 28, 12);

  @Test
  void uploadTrainTeacherDistilStudentAndDownloadIt() throws Exception {
    // 1. Upload the dataset: gzipped training part, plain test part, as IDX files come.
    HttpResponse<String> upload = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "train-images-idx3-ubyte.gz", SyntheticImages.imagesIdx(TRAIN, true))
        .file("trainLabels", "train-labels-idx1-ubyte.gz", SyntheticImages.labelsIdx(TRAIN, true))
        .file("testImages", "t10k-images-idx3-ubyte", SyntheticImages.imagesIdx(TEST, false))
        .file("testLabels", "t10k-labels-idx1-ubyte", SyntheticImages.labelsIdx(TEST, false))
        .field("name", "synthetic"));
    assertThat(upload.statusCode()).isEqualTo(201);
    JsonNode dataset = json(upload);
    assertThat(upload.headers().firstValue("Location")).hasValue("/v1/datasets/" + id(dataset));
    assertThat(dataset.get("trainSamples").asInt()).isEqualTo(360);
    assertThat(dataset.get("testSamples").asInt()).isEqualTo(120);
    assertThat(dataset.get("classes").asInt()).isEqualTo(4);
    assertThat(dataset.get("inputShape").toString()).isEqualTo("[1,28,28]");
    assertThat(dataset.get("sha256").asString()).hasSize(64);
    UUID datasetId = id(dataset);

    // 2. Train a teacher: a job without a teacher is plain supervised training.
    UUID teacherJob = submit("""
        {"datasetId": "%s", "student": {"architecture": "cnn", "featureSize": 32},
         "training": {"epochs": 2, "batchSize": 32, "seed": 1}}""".formatted(datasetId));
    JsonNode teacherDone = awaitTerminal(teacherJob);
    assertThat(teacherDone.get("state").asString()).as(teacherDone.toString()).isEqualTo("SUCCEEDED");

    // 3. Register the trained network as a teacher.
    HttpResponse<String> registered = postJson("/v1/teachers", """
        {"fromJob": "%s", "name": "synthetic-cnn"}""".formatted(teacherJob));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode teacher = json(registered);
    assertThat(teacher.get("architecture").asString()).isEqualTo("cnn");
    assertThat(teacher.get("featureSize").asInt()).isEqualTo(32);
    assertThat(teacher.get("classes").asInt()).isEqualTo(4);

    // The catalog names what a job may ask for; a parameter it does not list is refused.
    JsonNode distances = json(get("/v1/distances"));
    assertThat(distances.valueStream().map(d -> d.get("id").asString()).toList()).contains("w2");
    HttpResponse<String> badParameter = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp"},
         "distillation": {"distance": "w2", "parameters": {"temperature": 3}}}""".formatted(datasetId, id(teacher)));
    assertThat(badParameter.statusCode()).isEqualTo(400);
    assertThat(json(badParameter).get("errors").get(0).get("field").asString()).isEqualTo("distillation.parameters");
    assertThat(json(badParameter).get("detail").asString()).contains("temperature");

    // 4. The baseline student and the distilled one start from the same seed.
    UUID baselineJob = submit("""
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 32},
         "training": {"epochs": 2, "batchSize": 32, "seed": 7}}""".formatted(datasetId));
    HttpResponse<String> accepted = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp"},
         "distillation": {"distance": "w2", "lambda": 0.01},
         "training": {"epochs": 2, "batchSize": 32, "seed": 7}}""".formatted(datasetId, id(teacher)));
    assertThat(accepted.statusCode()).isEqualTo(202);
    JsonNode queued = json(accepted);
    UUID studentJob = id(queued);
    assertThat(accepted.headers().firstValue("Location")).hasValue("/v1/jobs/" + studentJob);
    assertThat(queued.get("student").get("featureSize").asInt()).as("taken from the teacher").isEqualTo(32);
    assertThat(queued.get("distillation").get("distance").asString()).isEqualTo("w2");
    assertThat(queued.get("training").get("learningRate").asDouble()).as("default filled in").isEqualTo(0.001);

    // 5. Poll until done; the job reports progress, metrics and its evaluation.
    JsonNode done = awaitTerminal(studentJob);
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.get("progress").get("percent").asDouble()).isEqualTo(100.0);
    assertThat(done.get("latestMetrics").get("epoch").asInt()).isEqualTo(2);
    assertThat(done.get("latestMetrics").get("trainDistillationLoss").asDouble()).isPositive();
    JsonNode evaluation = done.get("result").get("evaluation");
    assertThat(evaluation.get("split").asString()).isEqualTo("test");
    assertThat(evaluation.get("samples").asInt()).isEqualTo(120);
    assertThat(evaluation.get("accuracy").asDouble()).as("far above chance (0.25)").isGreaterThan(0.8);
    assertThat(done.get("result").get("teacherEvaluation").get("accuracy").asDouble())
        .isEqualTo(teacherDone.get("result").get("evaluation").get("accuracy").asDouble());
    assertThat(done.get("result").get("provenance").get("seed").asString()).isEqualTo("7");

    JsonNode history = json(get("/v1/jobs/" + studentJob + "/metrics")).get("epochs");
    assertThat(history).hasSize(2);
    assertThat(history.get(0).get("epoch").asInt()).isEqualTo(1);
    assertThat(history.get(1).get("epoch").asInt()).isEqualTo(2);
    assertThat(history.get(1).get("validationAccuracy").asDouble())
        .isEqualTo(done.get("latestMetrics").get("validationAccuracy").asDouble());
    for (JsonNode epoch : history) {
      assertThat(epoch.get("validationW2").asDouble()).isPositive()
          .isLessThanOrEqualTo(epoch.get("validationFeatureGap").asDouble() * (1 + 1e-6));
      assertThat(epoch.get("teacherHeadAccuracy").asDouble()).isBetween(0.0, 1.0);
    }

    JsonNode baseline = awaitTerminal(baselineJob);
    assertThat(baseline.get("state").asString()).isEqualTo("SUCCEEDED");
    assertThat(baseline.get("latestMetrics").get("trainDistillationLoss").isNull()).isTrue();

    // The job list shows each job's own latest epoch, as the job itself does.
    int compared = 0;
    for (JsonNode listed : json(get("/v1/jobs?page_size=100")).get("jobs")) {
      UUID listedId = id(listed);
      if (listedId.equals(studentJob) || listedId.equals(baselineJob)) {
        assertThat(listed.get("latestMetrics")).isEqualTo(json(get("/v1/jobs/" + listedId)).get("latestMetrics"));
        compared++;
      }
    }
    assertThat(compared).as("both jobs are on the first page, newest first").isEqualTo(2);

    // 6. Download the student; it reloads and predicts exactly as the job's evaluation said.
    HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(uri("/v1/jobs/" + studentJob + "/student")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Type")).hasValue("application/zip");
    byte[] archive = download.body();
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
    assertThat(done.get("result").get("studentSha256").asString()).isEqualTo(sha256);
    assertThat(download.headers().firstValue("ETag")).hasValue("\"" + sha256 + "\"");
    assertThat(download.headers().firstValue("Repr-Digest"))
        .hasValue("sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)) + ":");
    assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(
        v -> assertThat(v).contains("attachment").contains("student-" + studentJob + ".zip"));
    try (Network student = Network.read(new ByteArrayInputStream(archive))) {
      assertThat(student.spec().name()).isEqualTo("mlp");
      assertThat(student.evaluate(TEST, "test", 17).correct()).isEqualTo(evaluation.get("correct").asInt());
    }

    HttpResponse<String> unchanged = http.send(HttpRequest.newBuilder(uri("/v1/jobs/" + studentJob + "/student"))
        .header("If-None-Match", "\"" + sha256 + "\"").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unchanged.statusCode()).isEqualTo(304);
    HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(uri("/v1/jobs/" + studentJob + "/student"))
        .header("Range", "bytes=0-99").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).containsExactly(java.util.Arrays.copyOf(archive, 100));

    // 7. The downloaded file registers as a teacher too: the service's own format round-trips.
    HttpResponse<String> uploadedTeacher = postMultipart("/v1/teachers", new Multipart()
        .file("file", "student.zip", archive).field("name", "uploaded").field("architecture", "mlp"));
    assertThat(uploadedTeacher.statusCode()).as(uploadedTeacher.body()).isEqualTo(201);
    assertThat(json(uploadedTeacher).get("source").asString()).isEqualTo("UPLOAD");
    assertThat(json(uploadedTeacher).get("sha256").asString()).isEqualTo(sha256);
  }

  private UUID submit(String body) throws Exception {
    HttpResponse<String> response = postJson("/v1/jobs", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return id(json(response));
  }
}
