package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Bad input is answered with a problem that names what to fix, and changes nothing. */
class ApiErrorsIT extends IntegrationTest {

  static final LabelledImages DATA = SyntheticImages.generate(60, 3, 28, 5);
  static UUID datasetId;

  private UUID dataset() throws Exception {
    if (datasetId == null) {
      HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
          .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, false))
          .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      datasetId = id(json(r));
    }
    return datasetId;
  }

  @Test
  void aJobWithoutDatasetOrStudentIsRefusedNamingTheFields() throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", "{}");
    assertProblem(r, 400);
    assertThat(fields(r)).containsExactly("datasetId", "student");
  }

  @Test
  void outOfRangeSettingsAreRefusedNamingTheFields() throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 1},
         "training": {"epochs": 0, "validationFraction": 1.5}}""".formatted(dataset()));
    assertProblem(r, 400);
    assertThat(fields(r)).containsExactly("student.featureSize", "training.epochs", "training.validationFraction");
  }

  @Test
  void unknownArchitectureDistanceAndOptimizerAreNamed() throws Exception {
    assertThat(fields(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "resnet-9000"}}""".formatted(dataset()))))
        .containsExactly("student.architecture");
    assertThat(fields(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "training": {"optimizer": "lbfgs"}}""".formatted(dataset()))))
        .containsExactly("training.optimizer");
  }

  @Test
  void aMisspelledFieldIsRefusedRatherThanIgnored() throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "training": {"epoch": 3}}""".formatted(dataset()));
    assertProblem(r, 400);
    assertThat(fields(r)).containsExactly("training.epoch");
    assertThat(json(r).get("detail").asString()).contains("epochs");
  }

  @Test
  void malformedJsonIsABadRequest() throws Exception {
    assertProblem(postJson("/v1/jobs", "{\"datasetId\": "), 400);
  }

  @Test
  void distillationWithoutATeacherIsRefused() throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "distillation": {"distance": "w2"}}""".formatted(dataset()));
    assertProblem(r, 400);
    assertThat(fields(r)).containsExactly("teacherId");
  }

  @Test
  void referencesToMissingDatasetsAndTeachersAreUnprocessable() throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"}}""".formatted(UUID.randomUUID()));
    assertProblem(r, 422);
    assertThat(fields(r)).containsExactly("datasetId");
    HttpResponse<String> t = postJson("/v1/jobs", """
        {"datasetId": "%s", "teacherId": "%s", "student": {"architecture": "mlp"}}""".formatted(dataset(), UUID.randomUUID()));
    assertProblem(t, 422);
    assertThat(fields(t)).containsExactly("teacherId");
  }

  @Test
  void unknownResourcesAreNotFoundAndBadIdsAreBadRequests() throws Exception {
    assertProblem(get("/v1/jobs/" + UUID.randomUUID()), 404);
    assertProblem(get("/v1/jobs/" + UUID.randomUUID() + "/metrics"), 404);
    assertProblem(get("/v1/jobs/" + UUID.randomUUID() + "/student"), 404);
    assertProblem(get("/v1/datasets/" + UUID.randomUUID()), 404);
    assertProblem(get("/v1/teachers/" + UUID.randomUUID()), 404);
    assertProblem(get("/v1/jobs/not-a-uuid"), 400);
    assertProblem(get("/v1/jobs?state=SLEEPING"), 400);
    assertProblem(get("/v1/jobs?page_token=garbage"), 400);
  }

  @Test
  void aJobThatCannotTrainFailsWithItsReasonAndHasNoStudent() throws Exception {
    UUID job = id(json(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp"},
         "training": {"epochs": 1, "validationFraction": 0.999}}""".formatted(dataset()))));
    JsonNode failed = awaitTerminal(job);
    assertThat(failed.get("state").asString()).isEqualTo("FAILED");
    assertThat(failed.get("failureReason").asString()).contains("too few to hold out");
    assertProblem(get("/v1/jobs/" + job + "/student"), 409);
    assertProblem(postJson("/v1/teachers", "{\"fromJob\": \"" + job + "\"}"), 409);
  }

  @Test
  void corruptDatasetsAreRefusedPreciselyAndLeaveNothingBehind() throws Exception {
    byte[] images = SyntheticImages.imagesIdx(DATA, false);
    byte[] labels = SyntheticImages.labelsIdx(DATA, false);
    long rows = datasetRows();
    long files = storedFiles();

    byte[] badMagic = images.clone();
    badMagic[2] = 0x0D;
    expectRefused(badMagic, labels, "element type");
    expectRefused(Arrays.copyOf(images, images.length - 10), labels, "truncated");
    expectRefused(images, Arrays.copyOf(labels, labels.length - 1), "truncated");
    expectRefused(images, SyntheticImages.labelsIdx(SyntheticImages.generate(59, 3, 28, 5), false), "60 images but 59 labels");
    expectRefused("not an idx file".getBytes(), labels, "not an IDX file");
    byte[] brokenGzip = Arrays.copyOf(SyntheticImages.imagesIdx(DATA, true), 40);
    expectRefused(brokenGzip, labels, "trainImages");
    LabelledImages oneClass = SyntheticImages.generate(10, 1, 28, 5);
    expectRefused(SyntheticImages.imagesIdx(oneClass, false), SyntheticImages.labelsIdx(oneClass, false), "single class");

    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  @Test
  void aFileThatIsNotAStudentArchiveIsNotATeacher() throws Exception {
    long files = storedFiles();
    HttpResponse<String> r = postMultipart("/v1/teachers", new Multipart().file("file", "teacher.zip", "hello".getBytes()));
    assertProblem(r, 422);
    assertThat(json(r).get("detail").asString()).contains("student archive");
    assertThat(storedFiles()).isEqualTo(files);
  }

  private void expectRefused(byte[] images, byte[] labels, String reason) throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", images).file("trainLabels", "l", labels));
    assertProblem(r, 422);
    assertThat(json(r).get("detail").asString()).contains(reason);
  }

  private long datasetRows() {
    return jdbc.sql("select count(*) from datasets").query(Long.class).single();
  }

  private long storedFiles() throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(STORAGE)) {
      return walk.filter(Files::isRegularFile).count();
    }
  }

  private static void assertProblem(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode body = json(r);
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("detail").asString()).isNotBlank().doesNotContain("Exception").doesNotContain("at com.");
  }

  private static java.util.List<String> fields(HttpResponse<String> r) {
    JsonNode errors = json(r).get("errors");
    assertThat(errors).as(r.body()).isNotNull();
    return errors.valueStream().map(e -> e.get("field").asString()).sorted().toList();
  }
}
