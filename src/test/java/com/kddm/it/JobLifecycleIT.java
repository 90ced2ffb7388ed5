package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Cancellation, the event timeline, retries after infrastructure errors, run-time limits, idempotent submission. */
class JobLifecycleIT extends IntegrationTest {

  static final LabelledImages DATA = SyntheticImages.generate(600, 4, 28, 31);

  private UUID dataset() throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return id(json(r));
  }

  private UUID submit(String body) throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return id(json(r));
  }

  /** A job that keeps the worker busy for a while: many small steps. */
  private String longJob(UUID dataset) {
    return """
        {"datasetId": "%s", "student": {"architecture": "cnn", "featureSize": 16},
         "training": {"epochs": 200, "batchSize": 8}}""".formatted(dataset);
  }

  @Test
  void aRunningJobIsCancelledWithinSecondsAndAQueuedOneAtOnce() throws Exception {
    UUID dataset = dataset();
    UUID running = submit(longJob(dataset));
    UUID queued = submit(longJob(dataset));
    awaitJob(running, j -> j.get("progress").get("step").asLong() > 0, Duration.ofSeconds(60));

    HttpResponse<String> cancelQueued = post("/v1/jobs/" + queued + ":cancel");
    assertThat(cancelQueued.statusCode()).as(cancelQueued.body()).isEqualTo(202);
    assertThat(json(cancelQueued).get("state").asString()).isEqualTo("CANCELLED");

    HttpResponse<String> cancelRunning = post("/v1/jobs/" + running + "/cancel");
    assertThat(cancelRunning.statusCode()).isEqualTo(202);
    assertThat(json(cancelRunning).get("state").asString()).isIn("CANCELLING", "CANCELLED");
    long asked = System.nanoTime();
    JsonNode cancelled = awaitTerminal(running);
    assertThat(cancelled.get("state").asString()).isEqualTo("CANCELLED");
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));

    assertThat(states(running)).containsExactly("QUEUED", "RUNNING", "CANCELLING", "CANCELLED");
    JsonNode claimed = json(get("/v1/jobs/" + running + "/events")).get("events").get(1);
    assertThat(claimed.get("worker").asString()).isEqualTo("it-worker");
    assertThat(claimed.get("attempt").asInt()).isEqualTo(1);
    assertThat(states(queued)).containsExactly("QUEUED", "CANCELLED");
    assertThat(post("/v1/jobs/" + running + "/cancel").statusCode()).as("already over").isEqualTo(409);
  }

  @Test
  void anInfrastructureErrorIsRetriedWithBackoffUntilTheAttemptsRunOut() throws Exception {
    UUID dataset = dataset();
    // Losing the dataset's files is not the job's fault: the worker retries, then gives up.
    try (var files = Files.list(STORAGE.resolve("datasets").resolve(dataset.toString()))) {
      for (var file : files.toList()) {
        Files.delete(file);
      }
    }
    UUID job = submit("""
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "training": {"epochs": 1}}""".formatted(dataset));

    JsonNode failed = awaitTerminal(job);

    assertThat(failed.get("state").asString()).isEqualTo("FAILED");
    assertThat(failed.get("attempts").asInt()).isEqualTo(3);
    assertThat(failed.get("failureReason").asString()).contains("infrastructure error").contains("gave up after 3 attempts");
    assertThat(states(job)).containsExactly("QUEUED", "RUNNING", "QUEUED", "RUNNING", "QUEUED", "RUNNING", "FAILED");
    List<JsonNode> events = json(get("/v1/jobs/" + job + "/events")).get("events").valueStream().toList();
    Duration firstWait = Duration.between(java.time.Instant.parse(events.get(2).get("at").asString()),
        java.time.Instant.parse(events.get(3).get("at").asString()));
    Duration secondWait = Duration.between(java.time.Instant.parse(events.get(4).get("at").asString()),
        java.time.Instant.parse(events.get(5).get("at").asString()));
    assertThat(firstWait).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(secondWait).as("the backoff doubles").isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void aJobThatRunsPastItsMaximumRunTimeFailsWithoutRetry() throws Exception {
    UUID job = submit("""
        {"datasetId": "%s", "student": {"architecture": "cnn", "featureSize": 16},
         "training": {"epochs": 200, "batchSize": 8}, "maxRunTimeSeconds": 2}""".formatted(dataset()));
    JsonNode failed = awaitTerminal(job);
    assertThat(failed.get("state").asString()).isEqualTo("FAILED");
    assertThat(failed.get("failureReason").asString()).contains("maximum run time of 2 s");
    assertThat(failed.get("attempts").asInt()).isEqualTo(1);
  }

  @Test
  void aRetriedSubmissionWithTheSameKeyReturnsTheOriginalJob() throws Exception {
    String body = """
        {"datasetId": "%s", "student": {"architecture": "mlp"}, "training": {"epochs": 1}}""".formatted(dataset());
    String key = "retry-" + UUID.randomUUID();
    HttpResponse<String> first = postWithKey(body, key);
    HttpResponse<String> again = postWithKey(body, key);
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(id(json(again))).isEqualTo(id(json(first)));
    assertThat(jdbc.sql("select count(*) from jobs where idempotency_key = :k").param("k", key).query(Long.class).single())
        .isEqualTo(1);

    HttpResponse<String> different = postWithKey(body.replace("\"epochs\": 1", "\"epochs\": 2"), key);
    assertThat(different.statusCode()).isEqualTo(422);
    assertThat(json(different).get("detail").asString()).contains("different request");
    awaitTerminal(id(json(first)));
  }

  @Test
  void thePoolShowsThisWorkerAndItsDevice() throws Exception {
    JsonNode workers = json(get("/v1/workers"));
    JsonNode me = workers.valueStream().filter(w -> w.get("id").asString().equals("it-worker")).findFirst().orElseThrow();
    assertThat(me.get("device").asString()).isEqualTo("cpu");
    assertThat(me.get("state").asString()).isIn("IDLE", "BUSY");
  }

  private HttpResponse<String> postWithKey(String body, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(uri("/v1/jobs")).header("Content-Type", "application/json")
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> states(UUID job) throws Exception {
    return json(get("/v1/jobs/" + job + "/events")).get("events").valueStream()
        .map(e -> e.get("toState").asString()).toList();
  }
}
