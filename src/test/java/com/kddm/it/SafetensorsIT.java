package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.kddm.architectures.Architecture;
import com.kddm.architectures.InputShape;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import com.kddm.training.Network;
import com.kddm.training.TorchvisionSafetensors;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A ResNet student downloads as a safetensors state dict with torchvision's names, that file
 * registers as a teacher (head included), and files that do not fit are refused leaving nothing.
 */
class SafetensorsIT extends IntegrationTest {

  private static final InputShape INPUT = new InputShape(1, 12, 12);

  @Test
  void aResNetStudentDownloadsAsSafetensorsAndComesBackAsATeacher() throws Exception {
    LabelledImages images = SyntheticImages.generate(48, 4, 12, 31);
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(images, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(images, false)))));
    HttpResponse<String> accepted = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "resnet18-cifar"}, "training": {"epochs": 1, "batchSize": 16}}"""
        .formatted(dataset));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    JsonNode job = awaitTerminal(id(json(accepted)));
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
    String student = "/v1/jobs/" + id(job) + "/student";

    HttpResponse<byte[]> download = getBytes(student + "?format=safetensors", null);
    assertThat(download.statusCode()).isEqualTo(200);
    byte[] file = download.body();
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(file);
    String etag = "\"" + HexFormat.of().formatHex(sha256) + "\"";
    assertThat(download.headers().firstValue("ETag")).hasValue(etag);
    assertThat(download.headers().firstValue("Repr-Digest")).hasValue("sha-256=:" + Base64.getEncoder().encodeToString(sha256) + ":");
    assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(download.headers().firstValue("Content-Disposition").orElseThrow())
        .contains("student-" + id(job) + ".safetensors");
    assertThat(getBytes(student + "?format=safetensors", null).headers().firstValue("ETag")).as("stable").hasValue(etag);
    assertThat(getBytes(student + "?format=safetensors", etag).statusCode()).isEqualTo(304);
    HttpResponse<byte[]> archive = getBytes(student, null);
    assertThat(archive.headers().firstValue("Content-Type")).hasValue("application/zip");
    assertThat(archive.headers().firstValue("ETag")).hasValue("\"" + job.get("result").get("studentSha256").asString() + "\"");

    // The same network either way.
    try (Network fromArchive = Network.read(new ByteArrayInputStream(archive.body()));
        Network fromSafetensors = TorchvisionSafetensors.read(new ByteArrayInputStream(file), Architecture.RESNET18_CIFAR, INPUT);
        NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.randomUniform(0f, 1f, INPUT.batchOf(3));
      assertThat(fromSafetensors.infer(x).logits().toFloatArray()).containsExactly(fromArchive.infer(x).logits().toFloatArray());
    }

    HttpResponse<String> registered = postMultipart("/v1/teachers", new Multipart()
        .file("file", "student.safetensors", file).field("architecture", "resnet18-cifar").field("datasetId", dataset.toString()));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode teacher = json(registered);
    assertThat(teacher.get("format").asString()).isEqualTo("SAFETENSORS");
    assertThat(teacher.get("architecture").asString()).isEqualTo("resnet18-cifar");
    assertThat(teacher.get("classes").asInt()).isEqualTo(4);
    assertThat(teacher.get("featureSize").asInt()).isEqualTo(512);
    assertThat(teacher.get("inputShape").toString()).isEqualTo("[1,12,12]");
    assertThat(teacher.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(sha256));
    assertThat(STORAGE.resolve("teachers/" + id(teacher) + ".safetensors")).exists();

    HttpResponse<String> distilled = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "distillation": {"distance": "w2", "lambda": 0.01}, "training": {"epochs": 1, "batchSize": 16}}"""
        .formatted(dataset, id(teacher)));
    assertThat(distilled.statusCode()).as(distilled.body()).isEqualTo(202);
    JsonNode mlp = awaitTerminal(id(json(distilled)));
    assertThat(mlp.get("state").asString()).as(mlp.toString()).isEqualTo("SUCCEEDED");
    JsonNode epoch = json(get("/v1/jobs/" + id(mlp) + "/metrics")).get("epochs").get(0);
    assertThat(epoch.get("teacherHeadAccuracy").isNull()).as("the teacher's head runs").isFalse();

    HttpResponse<String> noCounterpart = get("/v1/jobs/" + id(mlp) + "/student?format=safetensors");
    assertThat(noCounterpart.statusCode()).isEqualTo(422);
    assertThat(json(noCounterpart).get("detail").asString()).contains("mlp", "no torchvision counterpart", "format=zip");
    HttpResponse<String> unknownFormat = get(student + "?format=onnx");
    assertThat(unknownFormat.statusCode()).isEqualTo(400);
    assertThat(json(unknownFormat).get("errors").get(0).get("field").asString()).isEqualTo("format");

    // Refusals leave no row and no file.
    long teachers = jdbc.sql("select count(*) from teachers").query(Long.class).single();
    long files = teacherFiles();
    HttpResponse<String> noArchitecture = postMultipart("/v1/teachers", new Multipart()
        .file("file", "s.safetensors", file).field("inputShape", "1,12,12"));
    assertThat(noArchitecture.statusCode()).as(noArchitecture.body()).isEqualTo(400);
    assertThat(json(noArchitecture).get("errors").get(0).get("field").asString()).isEqualTo("architecture");
    assertRefused(file, "resnet34-cifar", "1,12,12", "missing key layer1.2.conv1.weight");
    assertRefused(file, "mobilenetv2", "1,32,32", "missing key classifier.1.weight");
    assertRefused(file, "resnet18-cifar", "3,12,12", "conv1.weight has shape [64, 1, 3, 3]");
    assertRefused(file, "lenet", "1,12,12", "lenet has no torchvision counterpart");
    byte[] truncated = java.util.Arrays.copyOf(file, file.length / 2);
    assertRefused(truncated, "resnet18-cifar", "1,12,12", "the file ends inside the data of");
    assertThat(jdbc.sql("select count(*) from teachers").query(Long.class).single()).isEqualTo(teachers);
    assertThat(teacherFiles()).isEqualTo(files);
  }

  private void assertRefused(byte[] file, String architecture, String inputShape, String reason) throws Exception {
    HttpResponse<String> refused = postMultipart("/v1/teachers", new Multipart()
        .file("file", "s.safetensors", file).field("architecture", architecture).field("inputShape", inputShape));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(json(refused).get("detail").asString()).contains(reason);
  }

  private static long teacherFiles() throws Exception {
    try (Stream<Path> files = Files.walk(STORAGE.resolve("teachers"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  private HttpResponse<byte[]> getBytes(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
