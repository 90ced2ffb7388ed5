package com.kddm.jobs;

import com.kddm.training.EpochMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The job queue in PostgreSQL, as workers use it. Claims skip rows locked by other workers, so any
 * number of worker processes can poll one database; every later write is fenced by the lease.
 * Times come from the database clock, the one all workers share.
 */
@Component
public class JobQueue {

  private static final String FENCE = "id = :id and lease_owner = :owner and attempts = :attempt and state = 'RUNNING'";

  private final JdbcClient jdbc;

  JobQueue(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Takes the oldest queued job, if any, with a lease of {@code lease}. */
  @Transactional
  public Optional<ClaimedJob> claim(String owner, Duration lease) {
    return jdbc.sql(
            """
            update jobs set state = 'RUNNING', lease_owner = :owner, attempts = attempts + 1,
                lease_expires_at = now() + make_interval(secs => :leaseSeconds),
                started_at = coalesce(started_at, now()), epoch = 0, step = 0
            where id = (select id from jobs where state = 'QUEUED'
                        order by created_at, id for update skip locked limit 1)
            returning id, attempts, dataset_id, teacher_id, spec
            """)
        .param("owner", owner)
        .param("leaseSeconds", lease.toMillis() / 1000.0)
        .query((rs, i) -> new ClaimedJob(
            rs.getObject("id", UUID.class), owner, rs.getInt("attempts"), rs.getObject("dataset_id", UUID.class),
            rs.getObject("teacher_id", UUID.class), JsonColumns.JSON.readValue(rs.getString("spec"), JobSpec.class)))
        .optional();
  }

  /** Extends the lease; false when the job is no longer this worker's. */
  public boolean renew(ClaimedJob job, Duration lease) {
    return fenced(
        "update jobs set lease_expires_at = now() + make_interval(secs => :leaseSeconds) where " + FENCE,
        job, lease.toMillis() / 1000.0) == 1;
  }

  public boolean progress(ClaimedJob job, int epoch, long step, long totalSteps) {
    return jdbc.sql("update jobs set epoch = :epoch, step = :step, total_steps = :totalSteps where " + FENCE)
            .param("epoch", epoch).param("step", step).param("totalSteps", totalSteps)
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .update() == 1;
  }

  public boolean recordEpoch(ClaimedJob job, EpochMetrics m) {
    return jdbc.sql(
                """
                insert into job_epochs (job_id, epoch, train_cross_entropy, train_distillation_loss, train_loss,
                    validation_cross_entropy, validation_accuracy, validation_feature_gap, validation_w2,
                    teacher_head_accuracy, learning_rate, seconds, recorded_at)
                select :id, :epoch, :ce, :distillation, :loss, :validationCe, :validationAccuracy, :gap, :w2,
                    :headAccuracy, :learningRate, :seconds, now()
                where exists (select 1 from jobs where %s)
                """.formatted(FENCE))
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .param("epoch", m.epoch()).param("ce", m.trainCrossEntropy())
            .param("distillation", m.trainDistillationLoss()).param("loss", m.trainLoss())
            .param("validationCe", m.validationCrossEntropy()).param("validationAccuracy", m.validationAccuracy())
            .param("gap", m.validationFeatureGap()).param("w2", m.validationW2())
            .param("headAccuracy", m.teacherHeadAccuracy()).param("learningRate", m.learningRate())
            .param("seconds", m.seconds())
            .update() == 1;
  }

  public boolean succeed(ClaimedJob job, String studentBlob, JobResult result) {
    return jdbc.sql(
                """
                update jobs set state = 'SUCCEEDED', student_blob = :blob, result = :result, finished_at = now(),
                    lease_owner = null, lease_expires_at = null, step = total_steps
                where %s
                """.formatted(FENCE))
            .param("blob", studentBlob).param("result", JsonColumns.JSON.writeValueAsString(result))
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .update() == 1;
  }

  public boolean fail(ClaimedJob job, String reason) {
    return jdbc.sql(
                """
                update jobs set state = 'FAILED', failure_reason = :reason, finished_at = now(),
                    lease_owner = null, lease_expires_at = null
                where %s
                """.formatted(FENCE))
            .param("reason", reason)
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .update() == 1;
  }

  /**
   * Gives a job back to the queue without counting the attempt (the worker is shutting down);
   * training starts again from the beginning, so its partial history goes.
   */
  @Transactional
  public boolean release(ClaimedJob job) {
    jdbc.sql("delete from job_epochs where job_id = :id and exists (select 1 from jobs where " + FENCE + ")")
        .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
        .update();
    return jdbc.sql(
                """
                update jobs set state = 'QUEUED', attempts = attempts - 1, lease_owner = null,
                    lease_expires_at = null, epoch = 0, step = 0
                where %s
                """.formatted(FENCE))
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .update() == 1;
  }

  /**
   * Jobs whose worker stopped renewing its lease (crash, {@code kill -9}, lost network) go back to
   * the queue, or fail once they have used all their attempts.
   *
   * @return the jobs handled
   */
  @Transactional
  public List<UUID> recoverExpiredLeases() {
    List<UUID> recovered =
        jdbc.sql(
                """
                update jobs set
                    state = case when attempts >= max_attempts then 'FAILED' else 'QUEUED' end,
                    failure_reason = case when attempts >= max_attempts
                        then 'the worker running it stopped responding on each of ' || attempts || ' attempts'
                        else failure_reason end,
                    finished_at = case when attempts >= max_attempts then now() else null end,
                    lease_owner = null, lease_expires_at = null, epoch = 0, step = 0
                where id in (select id from jobs where state = 'RUNNING' and lease_expires_at < now()
                             for update skip locked)
                returning id
                """)
            .query(UUID.class)
            .list();
    if (!recovered.isEmpty()) {
      jdbc.sql("delete from job_epochs where job_id in (:ids) and job_id in (select id from jobs where state = 'QUEUED')")
          .param("ids", recovered)
          .update();
    }
    return recovered;
  }

  private int fenced(String sql, ClaimedJob job, double leaseSeconds) {
    return jdbc.sql(sql)
        .param("leaseSeconds", leaseSeconds)
        .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
        .update();
  }
}
