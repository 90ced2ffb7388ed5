package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Downloads of every artifact, and deletion that refuses to pull data from under a job and leaves no file behind. */
class ArtifactLifecycleIT extends IntegrationTest {

  static final LabelledImages DATA = SyntheticImages.generate(120, 3, 28, 51);

  @Test
  void datasetFilesAndTeacherFilesDownloadAsUploadedWithDigestsRangesAndConditionalRequests() throws Exception {
    byte[] images = SyntheticImages.imagesIdx(DATA, true);
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i.gz", images).file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)))));

    HttpResponse<byte[]> file = bytes("/v1/datasets/" + dataset + "/files/trainImages", null);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body()).isEqualTo(images);
    String etag = "\"" + sha256(images) + "\"";
    assertThat(file.headers().firstValue("ETag")).hasValue(etag);
    assertThat(file.headers().firstValue("Repr-Digest")).hasValueSatisfying(v -> assertThat(v).startsWith("sha-256=:"));
    assertThat(file.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("trainImages"));
    assertThat(bytes("/v1/datasets/" + dataset + "/files/trainImages", "bytes=10-19").body())
        .containsExactly(Arrays.copyOfRange(images, 10, 20));
    assertThat(http.send(HttpRequest.newBuilder(uri("/v1/datasets/" + dataset + "/files/trainImages"))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(304);
    assertThat(get("/v1/datasets/" + dataset + "/files/testImages").statusCode()).as("no test part").isEqualTo(404);
    // The digest was recorded at upload: a download names it without reading the file through first.
    assertThat(jdbc.sql("select file_digests from datasets where id = ?").param(dataset).query(String.class).single())
        .contains("datasets/" + dataset + "/trainImages.idx " + sha256(images));

    byte[] torchscript = Files.readAllBytes(Path.of(getClass().getResource("/teachers/tiny-cnn.pt").toURI()));
    UUID teacher = id(json(postMultipart("/v1/teachers", new Multipart()
        .file("file", "t.pt", torchscript).field("inputShape", "1,28,28"))));
    HttpResponse<byte[]> teacherFile = bytes("/v1/teachers/" + teacher + "/file", null);
    assertThat(teacherFile.body()).isEqualTo(torchscript);
    assertThat(teacherFile.headers().firstValue("ETag")).hasValue("\"" + sha256(torchscript) + "\"");
    assertThat(teacherFile.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).endsWith(".pt\""));
  }

  @Test
  void nothingAnUnfinishedJobUsesCanBeDeletedAndDeletionLeavesNoFiles() throws Exception {
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)))));
    UUID teacherJob = id(json(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 8}, "training": {"epochs": 1}}"""
        .formatted(dataset))));
    assertThat(awaitTerminal(teacherJob).get("state").asString()).isEqualTo("SUCCEEDED");
    UUID teacher = id(json(postJson("/v1/teachers", "{\"fromJob\": \"" + teacherJob + "\"}")));
    // A long job keeps the dataset and the teacher in use while the test tries to delete them.
    UUID busy = id(json(postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "cnn", "featureSize": 8},
         "training": {"epochs": 500, "batchSize": 4}}""".formatted(dataset, teacher))));

    assertThat(delete("/v1/datasets/" + dataset).statusCode()).isEqualTo(409);
    assertThat(delete("/v1/teachers/" + teacher).statusCode()).isEqualTo(409);
    assertThat(delete("/v1/jobs/" + busy).statusCode()).as("not ended").isEqualTo(409);
    assertThat(files("datasets/" + dataset)).isNotEmpty();

    assertThat(post("/v1/jobs/" + busy + "/cancel").statusCode()).isEqualTo(202);
    awaitTerminal(busy);
    assertThat(delete("/v1/teachers/" + teacher).statusCode()).isEqualTo(204);
    assertThat(delete("/v1/datasets/" + dataset).statusCode()).isEqualTo(204);
    assertThat(get("/v1/datasets/" + dataset).statusCode()).isEqualTo(404);
    assertThat(get("/v1/teachers/" + teacher).statusCode()).isEqualTo(404);
    assertThat(files("datasets/" + dataset)).isEmpty();
    assertThat(files("teachers")).noneMatch(f -> f.contains(teacher.toString()));
    JsonNode finished = json(get("/v1/jobs/" + teacherJob));
    assertThat(finished.get("datasetId").isNull()).as("finished jobs keep their history").isTrue();

    assertThat(files("students")).anyMatch(f -> f.contains(teacherJob.toString()));
    assertThat(delete("/v1/jobs/" + teacherJob).statusCode()).isEqualTo(204);
    assertThat(get("/v1/jobs/" + teacherJob).statusCode()).isEqualTo(404);
    assertThat(files("students")).noneMatch(f -> f.contains(teacherJob.toString()));
    assertThat(jdbc.sql("select count(*) from job_events where job_id = :id").param("id", teacherJob)
        .query(Long.class).single()).isZero();
    assertThat(delete("/v1/jobs/" + busy).statusCode()).isEqualTo(204);
    assertThat(files("checkpoints")).noneMatch(f -> f.contains(busy.toString()));
    assertThat(delete("/v1/jobs/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> bytes(String path, String range) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (range != null) {
      request.header("Range", range);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static List<String> files(String folder) throws Exception {
    Path dir = STORAGE.resolve(folder);
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(Path::toString).toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
