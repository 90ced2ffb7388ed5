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

}
