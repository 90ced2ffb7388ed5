package com.kddm.it;

import com.kddm.jobs.ClaimedJob;
import com.kddm.jobs.JobQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * How fast the PostgreSQL queue hands out jobs: 1,000 queued jobs drained by several workers that
 * claim and finish without training (so only the queue is measured), and the delay from submission
 * to RUNNING when a worker is idle and polling. A benchmark, not a test: it asserts nothing and is
 * excluded from the default run.
 *
 * <p>Run: {@code ./mvnw verify -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClaimThroughputBenchmark}. Writes
 * target/benchmarks/claims.md.
 */
@Tag("benchmark")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClaimThroughputBenchmark extends HttpTest {

  static final TestDatabase.Connection DB = TestDatabase.database("kddm_bench");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    registry.add("spring.datasource.url", DB::url);
    registry.add("spring.datasource.username", DB::username);
    registry.add("spring.datasource.password", DB::password);
    registry.add("kddm.storage.root", Files.createTempDirectory("kddm-bench")::toString);
    registry.add("kddm.worker.enabled", () -> "false");
  }

  @Autowired JobQueue queue;

  @Test
  void claimsPerSecondAndDelayToRunning() throws Exception {
    UUID dataset = UUID.randomUUID();
    jdbc.sql("""
        insert into datasets (id, name, format, train_samples, test_samples, classes, channels, height, width,
            sha256, bytes, train_images_blob, train_labels_blob, created_at)
        values (:id, 'bench', 'idx', 10, 0, 2, 1, 28, 28, '0', 0, 'datasets/x/a.idx', 'datasets/x/b.idx', now())""")
        .param("id", dataset).update();
    List<String> lines = new ArrayList<>();
    lines.add("| workers | jobs | seconds | claims/s |");
    lines.add("|---|---|---|---|");
    for (int workers : new int[] {1, 2, 4, 8}) {
      queueJobs(dataset, 1000);
      double seconds = drain(workers);
      lines.add("| " + workers + " | 1000 | " + String.format(java.util.Locale.ROOT, "%.2f", seconds) + " | "
          + Math.round(1000 / seconds) + " |");
    }
    lines.add("");
    lines.add("| idle worker's poll interval | submissions | delay to RUNNING: median ms | p95 ms | max ms |");
    lines.add("|---|---|---|---|---|");
    for (Duration poll : List.of(Duration.ofSeconds(1), Duration.ofMillis(100))) {
      long[] delays = delays(dataset, poll, 40);
      lines.add("| " + poll.toMillis() + " ms | " + delays.length + " | " + delays[delays.length / 2] + " | "
          + delays[(int) (delays.length * 0.95)] + " | " + delays[delays.length - 1] + " |");
    }
    String table = String.join("\n", lines) + "\n";
    System.out.println(table);
    Path out = Path.of("target/benchmarks/claims.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "PostgreSQL queue, " + Runtime.getRuntime().availableProcessors() + " cores; each claim is "
        + "UPDATE … SKIP LOCKED plus its event, each finish a fenced UPDATE plus its event\n\n" + table);
  }

  private void queueJobs(UUID dataset, int count) {
    jdbc.sql("""
        insert into jobs (id, state, dataset_id, spec, max_attempts, created_at)
        select gen_random_uuid(), 'QUEUED', :dataset, '{}', 3, clock_timestamp() from generate_series(1, :count)""")
        .param("dataset", dataset).param("count", count).update();
  }

  private double drain(int workers) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(workers);
    AtomicInteger claimed = new AtomicInteger();
    long started = System.nanoTime();
    for (int w = 0; w < workers; w++) {
      String owner = "bench-" + w;
      new Thread(() -> {
        try {
          for (Optional<ClaimedJob> job; (job = queue.claim(owner, Duration.ofMinutes(1))).isPresent(); ) {
            queue.fail(job.get(), "benchmark: claimed and finished without training");
            claimed.incrementAndGet();
          }
        } finally {
          done.countDown();
        }
      }).start();
    }
    done.await();
    return (System.nanoTime() - started) / 1e9;
  }

  /** One idle worker polling as the real loop does; jobs arrive at random moments. */
  private long[] delays(UUID dataset, Duration poll, int submissions) throws InterruptedException {
    ConcurrentHashMap<UUID, Instant> claimedAt = new ConcurrentHashMap<>();
    Thread worker = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        Optional<ClaimedJob> job = queue.claim("bench-idle", Duration.ofMinutes(1));
        if (job.isPresent()) {
          claimedAt.put(job.get().id(), Instant.now());
          queue.fail(job.get(), "benchmark");
        } else {
          try {
            Thread.sleep(poll.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    });
    worker.start();
    java.util.Random random = new java.util.Random(1);
    List<Long> delays = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < submissions; i++) {
      Thread.sleep(random.nextInt((int) poll.toMillis() * 2 + 1));
      UUID id = UUID.randomUUID();
      Instant submitted = Instant.now();
      jdbc.sql("insert into jobs (id, state, dataset_id, spec, max_attempts, created_at) values (:id, 'QUEUED', :d, '{}', 3, now())")
          .param("id", id).param("d", dataset).update();
      while (!claimedAt.containsKey(id)) {
        Thread.sleep(2);
      }
      delays.add(Duration.between(submitted, claimedAt.get(id)).toMillis());
    }
    worker.interrupt();
    worker.join();
    long[] sorted = delays.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }
}
