package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A teacher made in PyTorch (scripts/make-torchscript-fixtures.py) is registered and distilled from over HTTP. */
class TorchScriptTeacherIT extends IntegrationTest {

  static final LabelledImages TRAIN = SyntheticImages.generate(120, 4, 28, 21);

  private static byte[] fixture(String name) throws Exception {
    return Files.readAllBytes(Path.of(TorchScriptTeacherIT.class.getResource("/teachers/" + name).toURI()));
  }

  @Test
  void aTorchScriptTeacherDistilsAStudentEndToEnd() throws Exception {
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(TRAIN, true))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(TRAIN, true)))));

    HttpResponse<String> registered = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", fixture("tiny-cnn.pt")).field("name", "from-pytorch").field("datasetId", dataset.toString()));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode teacher = json(registered);
    assertThat(teacher.get("format").asString()).isEqualTo("TORCHSCRIPT");
    assertThat(teacher.get("architecture").asString()).isEqualTo("torchscript");
    assertThat(teacher.get("classes").asInt()).isEqualTo(4);
    assertThat(teacher.get("featureSize").asInt()).isEqualTo(32);
    assertThat(teacher.get("inputShape").toString()).isEqualTo("[1,28,28]");

    HttpResponse<String> accepted = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "distillation": {"distance": "w2", "lambda": 0.05}, "training": {"epochs": 1, "batchSize": 32}}"""
        .formatted(dataset, id(teacher)));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    JsonNode done = awaitTerminal(id(json(accepted)));
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    JsonNode epoch = json(get("/v1/jobs/" + id(done) + "/metrics")).get("epochs").get(0);
    assertThat(epoch.get("trainDistillationLoss").asDouble()).isPositive();
    assertThat(epoch.get("validationW2").asDouble()).isPositive();
    assertThat(epoch.get("teacherHeadAccuracy").isNull()).isTrue();
  }

  @Test
  void aTorchScriptTeacherDistilsAResNet18Student() throws Exception {
    LabelledImages small = SyntheticImages.generate(48, 4, 28, 22);
    UUID dataset = id(json(postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(small, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(small, false)))));
    HttpResponse<String> registered = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", fixture("tiny-cnn.pt")).field("inputShape", "1,28,28"));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);

    HttpResponse<String> accepted = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "resnet18"},
         "distillation": {"distance": "gaussian-w2", "parameters": {"covariance": "diagonal"}, "lambda": 0.1},
         "training": {"epochs": 1, "batchSize": 16, "optimizer": "sgd", "learningRate": 0.01,
                      "schedule": "cosine", "augmentation": "crop-flip"}}"""
        .formatted(dataset, id(json(registered))));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    JsonNode queued = json(accepted);
    assertThat(queued.get("student").get("featureSize").asInt()).as("fixed by ResNet-18").isEqualTo(512);
    assertThat(queued.get("distillation").get("parameters").get("covariance").asString()).isEqualTo("diagonal");

    JsonNode done = awaitTerminal(id(queued));
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    JsonNode epoch = json(get("/v1/jobs/" + id(done) + "/metrics")).get("epochs").get(0);
    assertThat(epoch.get("trainDistillationLoss").asDouble()).isPositive();
    assertThat(epoch.get("validationFeatureGap").asDouble()).isPositive();
  }

  @Test
  void aModuleThatBreaksTheContractIsRefusedAndLeavesNothing() throws Exception {
    long teachers = jdbc.sql("select count(*) from teachers").query(Long.class).single();
    HttpResponse<String> refused = postMultipart("/v1/teachers", new Multipart()
        .file("file", "logits-only.pt", fixture("logits-only.pt")).field("inputShape", "1,28,28"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(json(refused).get("detail").asString()).contains("(logits, features)");
    assertThat(jdbc.sql("select count(*) from teachers").query(Long.class).single()).isEqualTo(teachers);
    try (var files = Files.walk(STORAGE.resolve("teachers"))) {
      assertThat(files.filter(Files::isRegularFile).map(Path::toString))
          .noneMatch(p -> p.endsWith(".upload"));
    }
  }

  @Test
  void aTorchScriptTeacherNeedsItsInputShape() throws Exception {
    HttpResponse<String> refused = postMultipart("/v1/teachers", new Multipart().file("file", "t.pt", fixture("tiny-cnn.pt")));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).get("errors").get(0).get("field").asString()).isEqualTo("inputShape");
  }
}
