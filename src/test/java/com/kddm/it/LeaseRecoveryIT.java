package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.jobs.ClaimedJob;
import com.kddm.jobs.JobQueue;
import com.kddm.jobs.JobSpec;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.EpochMetrics;
import com.kddm.training.LabelledImages;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A job whose worker died (its process was killed and its lease ran out) goes back to the queue
 * and is trained by a live worker; the dead one can no longer write to it.
 */
class LeaseRecoveryIT extends IntegrationTest {

  static final LabelledImages DATA = SyntheticImages.generate(120, 3, 28, 8);
  static final JobSpec SPEC = new JobSpec(new JobSpec.StudentSpec("mlp", 16), null,
      new JobSpec.TrainingSpec(1, 32, 0.001, "adam", 0.9, 0, "constant", 0.001, 1, 1, "none", 4, 3, 0.2,
          "dataset"));

  @Autowired JobQueue queue;

  @Test
  void aJobLeftRunningByADeadWorkerIsRequeuedAndFinishedByALiveOne() throws Exception {
    UUID job = jobHeldByDeadWorker(1, 3);
    ClaimedJob dead = new ClaimedJob(job, "dead-worker", 1, null, null, SPEC, java.time.Instant.now(), Duration.ofHours(1));

    JsonNode done = awaitTerminal(job);

    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.get("attempts").asInt()).isEqualTo(2);
    assertThat(done.get("result").get("provenance").get("worker").asString()).isNotEqualTo("dead-worker");
    JsonNode history = json(get("/v1/jobs/" + job + "/metrics")).get("epochs");
    assertThat(history).as("the dead attempt's partial history is gone, the new one is whole").hasSize(1);
    assertThat(history.get(0).get("trainCrossEntropy").asDouble()).isNotEqualTo(99.0);
    assertThat(queue.progress(dead, 1, 5, 10)).as("fenced out").isFalse();
    assertThat(queue.recordEpoch(dead, new EpochMetrics(2, 1, null, 1, 1, 0.5, null, null, null, 0.001, 1))).isFalse();
    assertThat(queue.fail(dead, "late")).isFalse();
    assertThat(json(get("/v1/jobs/" + job)).get("state").asString()).isEqualTo("SUCCEEDED");
  }

  @Test
  void aJobWhoseWorkersKeepDyingFailsAfterItsLastAttempt() throws Exception {
    UUID job = jobHeldByDeadWorker(3, 3);

    JsonNode failed = awaitTerminal(job);

    assertThat(failed.get("state").asString()).isEqualTo("FAILED");
    assertThat(failed.get("failureReason").asString()).contains("stopped responding").contains("3 attempts");
  }

  @Test
  void aLiveLeaseIsLeftAlone() throws Exception {
    UUID job = jobHeldByDeadWorker(1, 3);
    jdbc.sql("update jobs set lease_expires_at = now() + interval '1 hour' where id = :id").param("id", job).update();
    ClaimedJob holder = new ClaimedJob(job, "dead-worker", 1, null, null, SPEC, java.time.Instant.now(), Duration.ofHours(1));

    Thread.sleep(Duration.ofSeconds(2).toMillis());

    assertThat(json(get("/v1/jobs/" + job)).get("state").asString()).isEqualTo("RUNNING");
    assertThat(queue.progress(holder, 1, 1, 4)).isTrue();
    assertThat(queue.fail(holder, "given up by the test")).isTrue();
    assertThat(json(get("/v1/jobs/" + job)).get("failureReason").asString()).isEqualTo("given up by the test");
  }

  /** A RUNNING job whose lease ran out a minute ago, with a partial epoch written by its owner. */
  private UUID jobHeldByDeadWorker(int attempts, int maxAttempts) throws Exception {
    UUID dataset = dataset();
    UUID job = UUID.randomUUID();
    jdbc.sql("""
        insert into jobs (id, state, dataset_id, spec, attempts, max_attempts, lease_owner, lease_expires_at,
            epoch, step, total_steps, created_at, started_at)
        values (:id, 'RUNNING', :dataset, :spec, :attempts, :maxAttempts, 'dead-worker', now() - interval '1 minute',
            1, 2, 4, now(), now() - interval '2 minutes')
        """)
        .param("id", job).param("dataset", dataset).param("spec", JSON.writeValueAsString(SPEC))
        .param("attempts", attempts).param("maxAttempts", maxAttempts).update();
    jdbc.sql("""
        insert into job_epochs (job_id, epoch, train_cross_entropy, train_loss, validation_cross_entropy,
            validation_accuracy, seconds, recorded_at)
        values (:id, 1, 99.0, 99.0, 99.0, 0.1, 1.0, now())
        """).param("id", job).update();
    return job;
  }

  private UUID dataset() throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(DATA, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(DATA, false)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return id(json(r));
  }
}
