package com.kddm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker-only service in a JVM of its own, on the test's database and artifact folder, as a
 * worker pod would run. Its output goes to a log file the test can show when something fails.
 */
final class WorkerProcess implements AutoCloseable {

  private final String id;
  private final Process process;
  private final Path log;

  private WorkerProcess(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
  }

  static WorkerProcess start(String id, String jdbcUrl, String user, String password, Path storage,
      Map<String, String> settings) throws IOException {
    Path log = Files.createTempFile("kddm-" + id + "-", ".log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"),
        "com.kddm.KddmApplication",
        "--server.port=0",
        "--kddm.api.enabled=false",
        "--kddm.worker.id=" + id,
        "--kddm.worker.device=cpu",
        "--spring.datasource.url=" + jdbcUrl,
        "--spring.datasource.username=" + user,
        "--spring.datasource.password=" + password,
        "--kddm.storage.root=" + storage));
    settings.forEach((key, value) -> command.add("--" + key + "=" + value));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("DJL_OFFLINE", "true");
    return new WorkerProcess(id, builder.start(), log);
  }

  String id() {
    return id;
  }

  /** {@code kill -9}: no shutdown hook, no goodbye. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then wait for the process to end by itself; answers how long it took. */
  Duration terminate(Duration patience) throws InterruptedException {
    long started = System.nanoTime();
    process.destroy();
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("worker " + id + " did not stop within " + patience + "\n" + log());
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  String log() {
    try {
      String text = Files.readString(log);
      return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
