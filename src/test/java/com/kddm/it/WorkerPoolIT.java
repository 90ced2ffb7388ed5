package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Worker processes in JVMs of their own, as pods would run, against one PostgreSQL and one
 * artifact folder; this process serves only the API. A database of its own keeps the shared
 * test worker out of the pool.
 */
// Its own context is closed after the class: left open, its worker would race the database's shutdown at exit.
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerPoolIT extends HttpTest {

  static final Path STORAGE;
  static final TestDatabase.Connection DB = TestDatabase.database("kddm_pool");
  static final LabelledImages DATA = SyntheticImages.generate(2400, 4, 28, 41);
  static final Map<String, String> FAST = Map.of(
      "kddm.worker.poll-interval", "200ms",
      "kddm.worker.lease-duration", "3s",
      "kddm.worker.heartbeat-interval", "500ms",
      "kddm.worker.sweep-interval", "500ms",
      "kddm.worker.progress-interval", "200ms",
      "kddm.worker.shutdown-grace", "20s");

  static {
    try {
      STORAGE = Files.createTempDirectory("kddm-pool-storage");
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::url);
    registry.add("spring.datasource.username", DB::username);
    registry.add("spring.datasource.password", DB::password);
    registry.add("kddm.storage.root", STORAGE::toString);
    registry.add("kddm.worker.enabled", () -> "false");
    // The API judges a worker LOST by the same lease the workers use.
    registry.add("kddm.worker.lease-duration", () -> FAST.get("kddm.worker.lease-duration"));
    registry.add("kddm.worker.heartbeat-interval", () -> FAST.get("kddm.worker.heartbeat-interval"));
  }

  private final List<WorkerProcess> workers = new ArrayList<>();

  @AfterEach
  void stopWorkers() throws InterruptedException {
    for (WorkerProcess worker : workers) {
      worker.close();
    }
  }

  private WorkerProcess worker(String id) throws IOException {
    WorkerProcess worker = WorkerProcess.start(id, DB.url(), DB.username(), DB.password(), STORAGE, FAST);
    workers.add(worker);
    return worker;
  }

  private UUID dataset() throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, true))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, true)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return id(json(r));
  }

  private UUID submit(UUID dataset, int epochs, long seed) throws Exception {
    HttpResponse<String> r = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "cnn", "featureSize": 16},
         "training": {"epochs": %d, "batchSize": 16, "seed": %d}}""".formatted(dataset, epochs, seed));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return id(json(r));
  }

  @Test
  void killingAWorkerMidTrainingLosesNoJobAndRunsNoEpochTwice() throws Exception {
    UUID dataset = dataset();
    List<UUID> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(submit(dataset, 4, i));
    }
    WorkerProcess first = worker("pool-a");
    WorkerProcess second = worker("pool-b");

    // Wait until pool-a has checkpointed an epoch of some job, then kill it.
    UUID victim = awaitValue(() -> jdbc.sql("""
            select id from jobs where lease_owner = 'pool-a' and state = 'RUNNING' and checkpoint_epoch >= 1
            limit 1""").query(UUID.class).optional(), Duration.ofMinutes(3), first);
    first.kill();

    for (UUID job : jobs) {
      JsonNode done = awaitJob(job, j -> j.get("finishedAt") != null && !j.get("finishedAt").isNull(), Duration.ofMinutes(5));
      assertThat(done.get("state").asString()).as("%s\n%s", done, second.log()).isEqualTo("SUCCEEDED");
      List<Integer> epochs = json(get("/v1/jobs/" + job + "/metrics")).get("epochs").valueStream()
          .map(e -> e.get("epoch").asInt()).toList();
      assertThat(epochs).as("every epoch once, in order").containsExactly(1, 2, 3, 4);
      assertConsistentOwnership(job);
    }

    List<JsonNode> events = events(victim);
    assertThat(events).anySatisfy(e -> {
      assertThat(e.get("toState").asString()).isEqualTo("QUEUED");
      assertThat(e.get("reason").asString()).contains("lease expired").contains("pool-a");
    });
    assertThat(events).anySatisfy(e -> {
      assertThat(e.get("worker").asString()).isEqualTo("pool-b");
      assertThat(String.valueOf(e.get("reason").asString())).contains("resumed from the checkpoint after epoch");
    });
    JsonNode workerList = json(get("/v1/workers"));
    assertThat(workerList.valueStream().filter(w -> w.get("id").asString().equals("pool-a")))
        .singleElement().satisfies(w -> assertThat(w.get("state").asString()).isEqualTo("LOST"));
  }

  @Test
  void sigtermMakesAWorkerCheckpointHandItsJobBackAndExit() throws Exception {
    UUID dataset = dataset();
    UUID job = submit(dataset, 6, 9);
    WorkerProcess worker = worker("pool-term");
    awaitValue(() -> jdbc.sql("""
            select j.id from jobs j where j.id = :id and j.state = 'RUNNING'
              and exists (select 1 from job_epochs e where e.job_id = j.id)""")
        .param("id", job).query(UUID.class).optional(), Duration.ofMinutes(3), worker);

    Duration took = worker.terminate(Duration.ofSeconds(30));

    assertThat(took).isLessThan(Duration.ofSeconds(25));
    JsonNode handedBack = json(get("/v1/jobs/" + job));
    assertThat(handedBack.get("state").asString()).as(worker.log()).isEqualTo("QUEUED");
    assertThat(events(job)).last().satisfies(e -> {
      assertThat(e.get("toState").asString()).isEqualTo("QUEUED");
      assertThat(e.get("reason").asString()).contains("shut down");
    });
    assertThat(jdbc.sql("select checkpoint_blob from jobs where id = :id").param("id", job).query(String.class).single())
        .as("a checkpoint to resume from").isNotNull();
    assertThat(json(get("/v1/workers")).valueStream().filter(w -> w.get("id").asString().equals("pool-term")))
        .singleElement().satisfies(w -> assertThat(w.get("state").asString()).isEqualTo("STOPPED"));

    WorkerProcess next = worker("pool-next");
    JsonNode done = awaitJob(job, j -> j.get("state").asString().equals("SUCCEEDED"), Duration.ofMinutes(3));
    assertThat(done.get("attempts").asInt()).as("a hand-back does not use up an attempt").isEqualTo(1);
    assertThat(json(get("/v1/jobs/" + job + "/metrics")).get("epochs").valueStream().map(e -> e.get("epoch").asInt()).toList())
        .as(next.log()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  /** Each event starts from the state the previous one left, and a claim only ever follows QUEUED. */
  private void assertConsistentOwnership(UUID job) throws Exception {
    List<JsonNode> events = events(job);
    for (int i = 1; i < events.size(); i++) {
      JsonNode previous = events.get(i - 1);
      JsonNode event = events.get(i);
      assertThat(event.get("fromState").asString()).as("event %d of %s: %s", i, job, events)
          .isEqualTo(previous.get("toState").asString());
    }
  }

  private List<JsonNode> events(UUID job) throws Exception {
    return json(get("/v1/jobs/" + job + "/events")).get("events").valueStream().toList();
  }

  private interface Probe {
    java.util.Optional<UUID> poll();
  }

  private static UUID awaitValue(Probe probe, Duration timeout, WorkerProcess watched) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      java.util.Optional<UUID> value = probe.poll();
      if (value.isPresent()) {
        return value.get();
      }
      if (!watched.isAlive()) {
        throw new AssertionError("worker " + watched.id() + " died:\n" + watched.log());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out after " + timeout + "\n" + watched.log());
  }
}
