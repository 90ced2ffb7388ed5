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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP against the service under test, and JSON helpers; subclasses pick the context. */
abstract class HttpTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
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
