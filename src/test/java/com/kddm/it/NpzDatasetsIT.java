package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** NumPy .npz datasets over HTTP: uploaded, trained on, and refused with the reason when broken. */
class NpzDatasetsIT extends IntegrationTest {

  @Test
  void anNpzDatasetUploadsAndTrains() throws Exception {
    byte[] npz = fixture("nhw-uint8.npz");
    HttpResponse<String> upload = postMultipart("/v1/datasets", new Multipart()
        .file("file", "data.npz", npz).field("name", "npz-mnist-like"));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    JsonNode dataset = json(upload);
    UUID id = id(dataset);
    assertThat(upload.headers().firstValue("Location")).hasValue("/v1/datasets/" + id);
    assertThat(dataset.get("format").asString()).isEqualTo("npz");
    assertThat(dataset.get("name").asString()).isEqualTo("npz-mnist-like");
    assertThat(dataset.get("trainSamples").asInt()).isEqualTo(40);
    assertThat(dataset.get("testSamples").asInt()).isEqualTo(0);
    assertThat(dataset.get("classes").asInt()).isEqualTo(2);
    assertThat(dataset.get("inputShape").toString()).isEqualTo("[1,28,28]");
    assertThat(dataset.get("bytes").asLong()).isEqualTo(npz.length);
    assertThat(dataset.get("sha256").asString())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(npz)));
    assertThat(STORAGE.resolve("datasets/" + id + "/dataset.npz")).hasBinaryContent(npz);
    assertThat(json(get("/v1/datasets/" + id)).get("format").asString()).isEqualTo("npz");

    HttpResponse<String> submitted = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "training": {"epochs": 1, "batchSize": 8, "seed": 3}}""".formatted(id));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    JsonNode done = awaitTerminal(id(json(submitted)));
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");

    // The student downloads whole, as its digest says, and reloads with the dataset's statistics.
    HttpResponse<byte[]> student = http.send(java.net.http.HttpRequest.newBuilder(uri("/v1/jobs/" + id(done) + "/student"))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(student.statusCode()).isEqualTo(200);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(student.body())))
        .isEqualTo(done.get("result").get("studentSha256").asString());
    try (com.kddm.training.Network network =
        com.kddm.training.Network.read(new java.io.ByteArrayInputStream(student.body()))) {
      assertThat(network.inputNormalization().meanList().get(0).doubleValue())
          .isCloseTo(dataset.get("normalization").get("mean").get(0).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void channelsLastImagesWithATestPartKeepTheirShape() throws Exception {
    HttpResponse<String> upload = postMultipart("/v1/datasets", new Multipart()
        .file("file", "nhwc.npz", fixture("nhwc-uint8.npz")));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    JsonNode dataset = json(upload);
    assertThat(dataset.get("inputShape").toString()).isEqualTo("[3,8,8]");
    assertThat(dataset.get("trainSamples").asInt()).isEqualTo(24);
    assertThat(dataset.get("testSamples").asInt()).isEqualTo(8);
    assertThat(dataset.get("classes").asInt()).isEqualTo(3);
    assertThat(dataset.get("name").asString()).startsWith("dataset-");
  }

  @Test
  void brokenNpzFilesAreRefusedPreciselyAndLeaveNothingBehind() throws Exception {
    long rows = datasetRows();
    long files = storedFiles();
    expectRefused(fixture("nan.npz"), "x: value NaN at flat index 39");
    expectRefused(fixture("label-out-of-range.npz"), "y: label 1000 at index 3 is out of range");
    expectRefused(fixture("count-mismatch.npz"), "x: 6 images but y has 5 labels");
    expectRefused(fixture("one-class.npz"), "single class");
    byte[] good = fixture("nhwc-uint8.npz");
    expectRefused(java.util.Arrays.copyOf(good, good.length / 2), "npz: corrupt or truncated zip");
    expectRefused("not an npz".getBytes(), "file: not a ZIP archive");
    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  @Test
  void npzAndIdxPartsTogetherAreRefusedNamingTheFields() throws Exception {
    LabelledImages data = SyntheticImages.generate(20, 2, 28, 5);
    long rows = datasetRows();
    long files = storedFiles();
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
        .file("file", "data.npz", fixture("nhw-uint8.npz"))
        .file("trainImages", "i", SyntheticImages.imagesIdx(data, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(data, false)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(fields(r)).containsExactly("file", "trainImages", "trainLabels");
    assertThat(json(r).get("detail").asString()).contains("not both");

    HttpResponse<String> none = postMultipart("/v1/datasets", new Multipart().field("name", "nothing"));
    assertThat(none.statusCode()).as(none.body()).isEqualTo(400);
    assertThat(fields(none)).containsExactly("trainImages", "trainLabels");
    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  private void expectRefused(byte[] npz, String reason) throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart().file("file", "data.npz", npz));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(json(r).get("detail").asString()).contains(reason).doesNotContain("Exception");
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = NpzDatasetsIT.class.getResourceAsStream("/datasets/" + name)) {
      return in.readAllBytes();
    }
  }

  private long datasetRows() {
    return jdbc.sql("select count(*) from datasets").query(Long.class).single();
  }

  private long storedFiles() throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(STORAGE)) {
      return walk.filter(Files::isRegularFile).count();
    }
  }

  private static List<String> fields(HttpResponse<String> r) {
    JsonNode errors = json(r).get("errors");
    assertThat(errors).as(r.body()).isNotNull();
    return errors.valueStream().map(e -> e.get("field").asString()).sorted().toList();
  }
}
