package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import com.kddm.training.Network;
import com.kddm.training.Normalization;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Students train on the dataset's statistics; teachers keep the preparation they were trained with. */
class InputNormalizationIT extends IntegrationTest {

  static final LabelledImages TRAIN = SyntheticImages.generate(160, 4, 28, 31);

  private UUID upload() throws Exception {
    HttpResponse<String> created = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(TRAIN, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(TRAIN, false)));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return id(json(created));
  }

  private JsonNode train(String body) throws Exception {
    HttpResponse<String> accepted = postJson("/v1/jobs", body);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    JsonNode done = awaitTerminal(id(json(accepted)));
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    return done;
  }

  private Network student(UUID job) throws Exception {
    HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(uri("/v1/jobs/" + job + "/student")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    return Network.read(new ByteArrayInputStream(download.body()));
  }

  private static byte[] fixture(String name) throws Exception {
    return Files.readAllBytes(Path.of(InputNormalizationIT.class.getResource("/teachers/" + name).toURI()));
  }

  @Test
  void aStudentTrainsOnTheDatasetStatisticsByDefaultAndItsArchiveCarriesThem() throws Exception {
    UUID dataset = upload();
    JsonNode done = train("""
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 16}, "training": {"epochs": 1}}"""
        .formatted(dataset));
    assertThat(done.get("training").get("normalization").asString()).isEqualTo("dataset");
    Normalization expected = Normalization.of(TRAIN);
    try (Network student = student(id(done))) {
      assertThat(student.inputNormalization().mean()).containsExactly(expected.mean(), within(1e-6f));
      assertThat(student.inputNormalization().std()).containsExactly(expected.std(), within(1e-6f));
    }

    // A teacher made from that job keeps the statistics it was trained with, whatever the next student uses.
    HttpResponse<String> teacher = postJson("/v1/teachers", "{\"fromJob\": \"%s\"}".formatted(id(done)));
    assertThat(teacher.statusCode()).as(teacher.body()).isEqualTo(201);
    JsonNode registered = json(get("/v1/teachers/" + id(json(teacher))));
    assertThat(registered.get("inputNormalization").get("mean").get(0).floatValue())
        .isCloseTo(expected.mean()[0], within(1e-6f));
    JsonNode distilled = train("""
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp"},
         "distillation": {"distance": "w2", "lambda": 0.01}, "training": {"epochs": 1, "normalization": "none"}}"""
        .formatted(dataset, id(registered)));
    try (Network student = student(id(distilled))) {
      assertThat(student.inputNormalization().isNone()).isTrue();
    }
  }

  @Test
  void anUnknownNormalizationIsRefused() throws Exception {
    HttpResponse<String> refused = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "training": {"normalization": "imagenet"}}"""
        .formatted(upload()));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).get("errors").get(0).get("field").asString()).isEqualTo("training.normalization");
    assertThat(json(refused).get("detail").asString()).contains("dataset").contains("none");
  }

  @Test
  void aTorchScriptTeacherIsRegisteredWithTheStatisticsItWasTrainedOn() throws Exception {
    UUID dataset = upload();
    HttpResponse<String> registered = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", fixture("tiny-cnn.pt")).field("inputShape", "1,28,28")
        .field("inputMean", "0.2860").field("inputStd", "0.3530"));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode teacher = json(get("/v1/teachers/" + id(json(registered))));
    assertThat(teacher.get("inputNormalization").get("mean").get(0).floatValue()).isEqualTo(0.2860f);
    assertThat(teacher.get("inputNormalization").get("std").get(0).floatValue()).isEqualTo(0.3530f);
    train("""
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp", "featureSize": 16},
         "distillation": {"distance": "w2", "lambda": 0.05}, "training": {"epochs": 1}}"""
        .formatted(dataset, id(teacher)));

    HttpResponse<String> plain = postMultipart("/v1/teachers", new Multipart()
        .file("file", "tiny-cnn.pt", fixture("tiny-cnn.pt")).field("inputShape", "1,28,28"));
    assertThat(json(plain).get("inputNormalization").isNull()).isTrue();
  }

  @Test
  void teacherStatisticsThatCannotNormaliseAreRefusedAndLeaveNothing() throws Exception {
    long teachers = jdbc.sql("select count(*) from teachers").query(Long.class).single();
    record Case(String mean, String std, String field, String detail) {}
    for (Case c : new Case[] {
        new Case("0.5", null, "inputStd", "go together"),
        new Case("0.5,0.5", "0.2,0.2", "inputMean", "1-channel"),
        new Case("0.5", "0", "inputStd", "positive"),
        new Case("0.5", "abc", "inputStd", "numbers separated by commas"),
        new Case("0.5,0.4", "0.2", "inputStd", "inputMean has 2")}) {
      Multipart form = new Multipart().file("file", "tiny-cnn.pt", fixture("tiny-cnn.pt")).field("inputShape", "1,28,28")
          .field("inputMean", c.mean());
      if (c.std() != null) {
        form.field("inputStd", c.std());
      }
      HttpResponse<String> refused = postMultipart("/v1/teachers", form);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      JsonNode problem = json(refused);
      assertThat(problem.get("errors").get(0).get("field").asString()).as(refused.body()).isEqualTo(c.field());
      assertThat(problem.get("detail").asString()).as(refused.body()).contains(c.detail());
    }
    assertThat(jdbc.sql("select count(*) from teachers").query(Long.class).single()).isEqualTo(teachers);
    try (var files = Files.walk(STORAGE.resolve("teachers"))) {
      assertThat(files.filter(Files::isRegularFile).map(Path::toString)).noneMatch(p -> p.endsWith(".upload"));
    }
  }
}
