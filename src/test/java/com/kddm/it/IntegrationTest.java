package com.kddm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service as users meet it: started on a random port over a real PostgreSQL, with its worker
 * on fast timings, driven over real HTTP. All integration tests but the worker-pool ones share
 * this one context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class IntegrationTest extends HttpTest {

  static final Path STORAGE;
  /** IDX files on "the server's disk", configured as the built-in dataset {@code builtin-synthetic}. */
  static final Path BUILTIN;

  static {
    try {
      STORAGE = Files.createTempDirectory("kddm-it-storage");
      BUILTIN = Files.createTempDirectory("kddm-it-builtin");
      com.kddm.training.LabelledImages data = com.kddm.testing.SyntheticImages.generate(90, 3, 28, 61);
      Files.write(BUILTIN.resolve("train-images.gz"), com.kddm.testing.SyntheticImages.imagesIdx(data, true));
      Files.write(BUILTIN.resolve("train-labels.gz"), com.kddm.testing.SyntheticImages.labelsIdx(data, true));
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
    // At exit the embedded database may stop before this context; fail fast instead of waiting 30 s.
    registry.add("spring.datasource.hikari.connection-timeout", () -> "3000");
    registry.add("kddm.worker.poll-interval", () -> "100ms");
    registry.add("kddm.worker.lease-duration", () -> "4s");
    registry.add("kddm.worker.heartbeat-interval", () -> "500ms");
    registry.add("kddm.worker.progress-interval", () -> "100ms");
    registry.add("kddm.worker.sweep-interval", () -> "500ms");
    registry.add("kddm.worker.retry-backoff", () -> "200ms");
    registry.add("kddm.worker.id", () -> "it-worker");
    registry.add("kddm.worker.device", () -> "cpu");
    registry.add("kddm.datasets.zip.max-entries", () -> "500");
    registry.add("kddm.datasets.builtin[0].name", () -> "builtin-synthetic");
    registry.add("kddm.datasets.builtin[0].train-images", () -> BUILTIN.resolve("train-images.gz").toString());
    registry.add("kddm.datasets.builtin[0].train-labels", () -> BUILTIN.resolve("train-labels.gz").toString());
    registry.add("kddm.datasets.builtin[1].name", () -> "builtin-missing");
    registry.add("kddm.datasets.builtin[1].train-images", () -> BUILTIN.resolve("absent.gz").toString());
    registry.add("kddm.datasets.builtin[1].train-labels", () -> BUILTIN.resolve("absent-labels.gz").toString());
  }

}
