package com.kddm.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service killed with {@code kill -9} leaves its PostgreSQL server running on the data
 * directory, and a second server refuses to start there. Before starting, stop the orphan.
 */
final class OrphanedPostmaster {

  private static final Logger log = LoggerFactory.getLogger(OrphanedPostmaster.class);

  private OrphanedPostmaster() {}

  static void stop(Path dataDirectory, Duration timeout) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    Optional<ProcessHandle> postmaster =
        lines.isEmpty() ? Optional.empty() : parse(lines.get(0)).flatMap(ProcessHandle::of);
    if (postmaster.isEmpty() || !postmaster.get().isAlive() || !isPostgres(postmaster.get())) {
      // PostgreSQL itself discards a stale pid file whose process is gone.
      return;
    }
    ProcessHandle process = postmaster.get();
    log.warn("Stopping PostgreSQL server {} left running on {} by a previous process", process.pid(), dataDirectory);
    // SIGTERM is PostgreSQL's "smart" shutdown: its clients died with the old JVM, so it ends at once.
    process.destroy();
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("PostgreSQL server {} did not stop in {}; killing it", process.pid(), timeout);
      process.destroyForcibly();
    }
  }

  private static Optional<Long> parse(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isPostgres(ProcessHandle process) {
    return process.info().command().map(c -> c.endsWith("postgres")).orElse(true);
  }
}
