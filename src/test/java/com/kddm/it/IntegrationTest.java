package com.kddm.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as users meet it: started on a random port over a real PostgreSQL, with its worker
 * on fast timings, driven over real HTTP. All integration tests share this one context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class IntegrationTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Path STORAGE;

  static {
    try {
      STORAGE = Files.createTempDirectory("kddm-it-storage");
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestDatabase.Connection db = TestDatabase.get();
    registry.add("spring.datasource.url", db::url);
    registry.add("spring.datasource.username", db::username);
    registry.add("spring.datasource.password", db::password);
    registry.add("kddm.storage.root", STORAGE::toString);
    registry.add("kddm.worker.poll-interval", () -> "100ms");
    registry.add("kddm.worker.lease-duration", () -> "4s");
    registry.add("kddm.worker.heartbeat-interval", () -> "500ms");
    registry.add("kddm.worker.progress-interval", () -> "100ms");
    registry.add("kddm.worker.sweep-interval", () -> "500ms");
    registry.add("kddm.worker.retry-backoff", () -> "200ms");
    registry.add("kddm.worker.id", () -> "it-worker");
    registry.add("kddm.worker.device", () -> "cpu");
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  final HttpClient http = HttpClient.newHttpClient();

  URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postJson(String path, String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postMultipart(String path, Multipart form) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).header("Content-Type", form.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(form.body())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  /** Polls a job until {@code done} holds, failing after {@code timeout}. */
  JsonNode awaitJob(UUID id, Predicate<JsonNode> done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode job;
    do {
      job = json(get("/v1/jobs/" + id));
      if (done.test(job)) {
        return job;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job " + id + " did not get there in " + timeout + "; last seen: " + job);
  }

  JsonNode awaitTerminal(UUID id) throws Exception {
    return awaitJob(id, j -> j.get("finishedAt") != null && !j.get("finishedAt").isNull(), Duration.ofMinutes(3));
  }

  static UUID id(JsonNode node) {
    return UUID.fromString(node.get("id").asString());
  }
}
