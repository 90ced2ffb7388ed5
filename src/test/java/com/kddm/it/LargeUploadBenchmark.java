package com.kddm.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 2 GB IDX upload streamed through an API process started with {@code -Xmx512m}: the upload is
 * written to storage on the way in and validated by scanning, so the heap never holds the dataset.
 * A benchmark (minutes of disk I/O, ~6 GB of temporary files), excluded from the default run.
 *
 * <p>Run: {@code ./mvnw verify -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=LargeUploadBenchmark}. Writes
 * target/benchmarks/large-upload.md.
 */
@Tag("benchmark")
class LargeUploadBenchmark {

  private static final int IMAGES = 2_600_000;
  private static final int SIDE = 28;

  @Test
  void aTwoGigabyteUploadSucceedsWithA512MegabyteHeap() throws Exception {
    Path dir = Files.createTempDirectory("kddm-large-upload");
    Path images = dir.resolve("train-images-idx3-ubyte");
    Path labels = dir.resolve("train-labels-idx1-ubyte");
    writeIdx(images, labels);
    long bytes = Files.size(images) + Files.size(labels);

    TestDatabase.Connection db = TestDatabase.database("kddm_upload");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("service.log");
    Process service = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), "com.kddm.KddmApplication",
        "--server.port=" + port, "--kddm.worker.enabled=false",
        "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.username(),
        "--spring.datasource.password=" + db.password(), "--kddm.storage.root=" + dir.resolve("storage"),
        "--spring.servlet.multipart.max-file-size=3GB", "--spring.servlet.multipart.max-request-size=4GB",
        "--spring.servlet.multipart.location=" + dir)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI base = URI.create("http://localhost:" + port);
      awaitUp(http, base, service, log);
      String boundary = "kddm-large-upload";
      long started = System.nanoTime();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/datasets"))
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body(boundary, images, labels)))
          .build(), HttpResponse.BodyHandlers.ofString());
      double seconds = (System.nanoTime() - started) / 1e9;
      String table = "| upload | heap | status | seconds | MB/s |\n|---|---|---|---|---|\n"
          + "| " + String.format(java.util.Locale.ROOT, "%.2f GB", bytes / 1e9) + " IDX (" + IMAGES + " images 28x28) | -Xmx512m | "
          + response.statusCode() + " | " + String.format(java.util.Locale.ROOT, "%.1f", seconds) + " | "
          + Math.round(bytes / 1e6 / seconds) + " |\n\n" + response.body() + "\n";
      System.out.println(table);
      Path out = Path.of("target/benchmarks/large-upload.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, table);
      if (response.statusCode() != 201) {
        throw new AssertionError("upload failed: " + response.body() + "\n" + tail(log));
      }
    } finally {
      service.destroy();
      service.waitFor(30, TimeUnit.SECONDS);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void writeIdx(Path images, Path labels) throws IOException {
    byte[] block = new byte[SIDE * SIDE * 1000];
    new Random(1).nextBytes(block);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(images), 1 << 20)) {
      out.write(new byte[] {0, 0, 8, 3});
      out.write(java.nio.ByteBuffer.allocate(12).putInt(IMAGES).putInt(SIDE).putInt(SIDE).array());
      for (int written = 0; written < IMAGES; written += 1000) {
        out.write(block, 0, Math.min(1000, IMAGES - written) * SIDE * SIDE);
      }
    }
    byte[] labelBytes = new byte[IMAGES];
    for (int i = 0; i < IMAGES; i++) {
      labelBytes[i] = (byte) (i % 10);
    }
    try (OutputStream out = Files.newOutputStream(labels)) {
      out.write(new byte[] {0, 0, 8, 1});
      out.write(java.nio.ByteBuffer.allocate(4).putInt(IMAGES).array());
      out.write(labelBytes);
    }
  }

  private static InputStream body(String boundary, Path images, Path labels) {
    try {
      List<InputStream> parts = List.of(
          text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"trainImages\"; filename=\"i\"\r\n"
              + "Content-Type: application/octet-stream\r\n\r\n"),
          Files.newInputStream(images),
          text("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"trainLabels\"; filename=\"l\"\r\n"
              + "Content-Type: application/octet-stream\r\n\r\n"),
          Files.newInputStream(labels),
          text("\r\n--" + boundary + "--\r\n"));
      return new SequenceInputStream(Collections.enumeration(parts));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static InputStream text(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void awaitUp(HttpClient http, URI base, Process service, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new AssertionError("the service died:\n" + tail(log));
      }
      try {
        if (http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the service did not start:\n" + tail(log));
  }

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log);
    return text.length() > 10_000 ? text.substring(text.length() - 10_000) : text;
  }
}
