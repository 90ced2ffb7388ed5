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
 * number of worker processes can poll one database; every later write is fenced by the lease
 * (owner and attempt), and every state change writes its event in the same statement. Times come
 * from the database clock, the one all workers share.
 */
@Component
public class JobQueue {

  /** The rows a lease holder may still write: its own attempt, running or being cancelled. */
  private static final String FENCE =
      "id = :id and lease_owner = :owner and attempts = :attempt and state in ('RUNNING', 'CANCELLING')";

  /** Appends the event of each row a data-modifying CTE named {@code moved} returned. */
  private static final String EVENT =
      "insert into job_events (job_id, from_state, to_state, worker, attempt, reason) "
          + "select id, from_state, state, worker, attempts, reason from moved";

  private final JdbcClient jdbc;

  JobQueue(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** What the heartbeat learned: whether the lease still holds, and whether cancellation was asked. */
  public enum Lease {
    HELD,
    CANCEL_REQUESTED,
    LOST
  }

  /** Takes the oldest queued job that is due, if any, with a lease of {@code lease}. */
  @Transactional
  public Optional<ClaimedJob> claim(String owner, Duration lease) {
    return jdbc.sql(
            """
            with moved as (
              update jobs set state = 'RUNNING', lease_owner = :owner, attempts = attempts + 1,
                  lease_expires_at = now() + make_interval(secs => :leaseSeconds), not_before = null,
                  started_at = coalesce(started_at, now())
              where id = (select id from jobs where state = 'QUEUED' and (not_before is null or not_before <= now())
                          order by created_at, id for update skip locked limit 1)
              returning id, attempts, dataset_id, teacher_id, spec, started_at, max_run_seconds, state,
                  'QUEUED' as from_state, lease_owner as worker,
                  case when attempts > 1 then 'claimed again (attempt ' || attempts || ')' else 'claimed' end as reason
            ), event as (%s)
            select * from moved
            """.formatted(EVENT))
        .param("owner", owner)
        .param("leaseSeconds", seconds(lease))
        .query((rs, i) -> new ClaimedJob(
            rs.getObject("id", UUID.class), owner, rs.getInt("attempts"), rs.getObject("dataset_id", UUID.class),
            rs.getObject("teacher_id", UUID.class), JsonColumns.JSON.readValue(rs.getString("spec"), JobSpec.class),
            rs.getTimestamp("started_at").toInstant(), Duration.ofSeconds(rs.getLong("max_run_seconds"))))
        .optional();
  }

  /** Extends the lease, and tells whether the job is still this worker's and whether to stop. */
  public Lease renew(ClaimedJob job, Duration lease) {
    return jdbc.sql("update jobs set lease_expires_at = now() + make_interval(secs => :leaseSeconds) where "
                + FENCE + " returning state")
        .param("leaseSeconds", seconds(lease))
        .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
        .query(String.class)
        .optional()
        .map(state -> state.equals("CANCELLING") ? Lease.CANCEL_REQUESTED : Lease.HELD)
        .orElse(Lease.LOST);
  }

  /** Where the job's last checkpoint is, if it has one. */
  public record StoredCheckpoint(String blob, int completedEpochs, long step) {}

  public Optional<StoredCheckpoint> checkpointOf(ClaimedJob job) {
    return fenced(jdbc.sql("select checkpoint_blob, checkpoint_epoch, checkpoint_step from jobs where "
            + FENCE + " and checkpoint_blob is not null"), job)
        .query((rs, i) -> new StoredCheckpoint(rs.getString(1), rs.getInt(2), rs.getLong(3)))
        .optional();
  }

  /** Points the job at a checkpoint just stored; false when the lease is gone. */
  public boolean recordCheckpoint(ClaimedJob job, String blob, int completedEpochs, long step) {
    return fenced(jdbc.sql("update jobs set checkpoint_blob = :blob, checkpoint_epoch = :epoch, checkpoint_step = :step"
                + " where " + FENCE).param("blob", blob).param("epoch", completedEpochs).param("step", step), job)
        .update() == 1;
  }

  /** Forgets the checkpoint (it was unusable, or the job is over). */
  public boolean forgetCheckpoint(ClaimedJob job) {
    return fenced(jdbc.sql("update jobs set checkpoint_blob = null, checkpoint_epoch = null, checkpoint_step = null"
        + " where " + FENCE), job).update() == 1;
  }

  /** An event that changes no state: something a worker wants the timeline to show. */
  public boolean note(ClaimedJob job, String reason) {
    return fenced(jdbc.sql("""
            insert into job_events (job_id, from_state, to_state, worker, attempt, reason)
            select id, state, state, lease_owner, attempts, :reason from jobs where %s
            """.formatted(FENCE)).param("reason", reason), job)
        .update() == 1;
  }

  /**
   * Forgets the metric history after {@code epoch}: a new attempt trains again from there (from
   * the start, or from its checkpoint), so later epochs of an earlier attempt must not stay.
   */
  public void discardEpochsAfter(ClaimedJob job, int epoch) {
    fenced(jdbc.sql("delete from job_epochs where job_id = :id and epoch > :epoch"
            + " and exists (select 1 from jobs where " + FENCE + ")").param("epoch", epoch), job)
        .update();
  }

  public boolean progress(ClaimedJob job, int epoch, long step, long totalSteps) {
    return fenced(jdbc.sql("update jobs set epoch = :epoch, step = :step, total_steps = :totalSteps where " + FENCE)
            .param("epoch", epoch).param("step", step).param("totalSteps", totalSteps), job)
        .update() == 1;
  }

  public boolean recordEpoch(ClaimedJob job, EpochMetrics m) {
    return fenced(jdbc.sql(
                """
                insert into job_epochs (job_id, epoch, train_cross_entropy, train_distillation_loss, train_loss,
                    validation_cross_entropy, validation_accuracy, validation_feature_gap, validation_w2,
                    teacher_head_accuracy, learning_rate, seconds, recorded_at)
                select :id, :epoch, :ce, :distillation, :loss, :validationCe, :validationAccuracy, :gap, :w2,
                    :headAccuracy, :learningRate, :seconds, now()
                where exists (select 1 from jobs where %s)
                """.formatted(FENCE))
            .param("epoch", m.epoch()).param("ce", m.trainCrossEntropy())
            .param("distillation", m.trainDistillationLoss()).param("loss", m.trainLoss())
            .param("validationCe", m.validationCrossEntropy()).param("validationAccuracy", m.validationAccuracy())
            .param("gap", m.validationFeatureGap()).param("w2", m.validationW2())
            .param("headAccuracy", m.teacherHeadAccuracy()).param("learningRate", m.learningRate())
            .param("seconds", m.seconds()), job)
        .update() == 1;
  }

  /** Ends a job that trained to the end; a job whose cancellation was asked meanwhile ends CANCELLED. */
  @Transactional
  public boolean succeed(ClaimedJob job, String studentBlob, JobResult result) {
    return transition(job, """
        state = case when state = 'CANCELLING' then 'CANCELLED' else 'SUCCEEDED' end,
        student_blob = case when state = 'CANCELLING' then null else :blob end,
        checkpoint_blob = null, checkpoint_epoch = null, checkpoint_step = null,
        result = case when state = 'CANCELLING' then null else :result end,
        step = total_steps""", "trained", q -> q.param("blob", studentBlob)
            .param("result", JsonColumns.JSON.writeValueAsString(result)));
  }

  /** Ends a job that cannot train; no retry. */
  @Transactional
  public boolean fail(ClaimedJob job, String reason) {
    return transition(job, "state = 'FAILED', failure_reason = :why", reason, q -> q.param("why", reason));
  }

  /** Ends a job whose cancellation the worker honoured. */
  @Transactional
  public boolean cancelled(ClaimedJob job) {
    return transition(job, "state = 'CANCELLED'", "cancelled by request", q -> q);
  }

  /**
   * Puts a job that met an infrastructure error back in the queue, due after {@code backoff}, or
   * fails it once it has used all its attempts.
   */
  @Transactional
  public boolean retry(ClaimedJob job, String reason, Duration backoff) {
    return jdbc.sql(
                """
                with before as (select id, state as from_state from jobs where %s for update),
                moved as (
                  update jobs j set
                      state = case when j.state = 'CANCELLING' then 'CANCELLED'
                                   when j.attempts >= j.max_attempts then 'FAILED' else 'QUEUED' end,
                      failure_reason = case when j.state <> 'CANCELLING' and j.attempts >= j.max_attempts
                          then :why || ' (gave up after ' || j.attempts || ' attempts)' else j.failure_reason end,
                      finished_at = case when j.state = 'CANCELLING' or j.attempts >= j.max_attempts
                          then now() else null end,
                      not_before = now() + make_interval(secs => :backoffSeconds),
                      lease_owner = null, lease_expires_at = null
                  from before where j.id = before.id
                  returning j.id, j.state, j.attempts, before.from_state, cast(:owner as text) as worker,
                      cast(:why as text) as reason
                ), event as (%s)
                select count(*) from moved
                """.formatted(FENCE, EVENT))
            .param("why", reason).param("backoffSeconds", seconds(backoff))
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .query(Long.class).single() == 1;
  }

  /**
   * Gives a job back to the queue without counting the attempt: the worker is shutting down and
   * has checkpointed what it could; the next worker resumes from there.
   */
  @Transactional
  public boolean release(ClaimedJob job, String reason) {
    return jdbc.sql(
                """
                with before as (select id, state as from_state from jobs where %s for update),
                moved as (
                  update jobs j set
                      state = case when j.state = 'CANCELLING' then 'CANCELLED' else 'QUEUED' end,
                      finished_at = case when j.state = 'CANCELLING' then now() else null end,
                      attempts = j.attempts - 1, lease_owner = null, lease_expires_at = null
                  from before where j.id = before.id
                  returning j.id, j.state, j.attempts, before.from_state, cast(:owner as text) as worker,
                      cast(:why as text) as reason
                ), event as (%s)
                select count(*) from moved
                """.formatted(FENCE, EVENT))
            .param("why", reason)
            .param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt())
            .query(Long.class).single() == 1;
  }

  /**
   * Jobs whose worker stopped renewing its lease (crash, {@code kill -9}, lost network) go back to
   * the queue, or fail once they have used all their attempts; a job being cancelled is cancelled.
   *
   * @return the jobs handled
   */
  @Transactional
  public List<UUID> recoverExpiredLeases() {
    return jdbc.sql(
            """
            with before as (
              select id, state as from_state, lease_owner from jobs
              where state in ('RUNNING', 'CANCELLING') and lease_expires_at < now()
              for update skip locked
            ), moved as (
              update jobs j set
                  state = case when j.state = 'CANCELLING' then 'CANCELLED'
                               when j.attempts >= j.max_attempts then 'FAILED' else 'QUEUED' end,
                  failure_reason = case when j.state <> 'CANCELLING' and j.attempts >= j.max_attempts
                      then 'the worker running it stopped responding on each of ' || j.attempts || ' attempts'
                      else j.failure_reason end,
                  finished_at = case when j.state = 'CANCELLING' or j.attempts >= j.max_attempts then now() else null end,
                  lease_owner = null, lease_expires_at = null
              from before where j.id = before.id
              returning j.id, j.state, j.attempts, before.from_state, before.lease_owner as worker,
                  'lease expired: worker ' || before.lease_owner || ' stopped renewing it' as reason
            ), event as (%s)
            select id from moved
            """.formatted(EVENT))
        .query(UUID.class)
        .list();
  }

  /** A fenced change of state, with its event, in one statement. */
  private boolean transition(ClaimedJob job, String set, String reason,
      java.util.function.UnaryOperator<JdbcClient.StatementSpec> params) {
    return params.apply(fenced(jdbc.sql(
                """
                with before as (select id, state as from_state from jobs where %s for update),
                moved as (
                  update jobs j set %s, finished_at = now(), lease_owner = null, lease_expires_at = null
                  from before where j.id = before.id
                  returning j.id, j.state, j.attempts, before.from_state, cast(:owner as text) as worker,
                      cast(:reason as text) as reason
                ), event as (%s)
                select count(*) from moved
                """.formatted(FENCE, set, EVENT)), job).param("reason", reason))
        .query(Long.class).single() == 1;
  }

  private static JdbcClient.StatementSpec fenced(JdbcClient.StatementSpec statement, ClaimedJob job) {
    return statement.param("id", job.id()).param("owner", job.owner()).param("attempt", job.attempt());
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
