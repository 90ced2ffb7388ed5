package com.kddm.jobs;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The event log of state changes the API itself makes; workers' changes write theirs in {@link JobQueue}. */
@Component
class JobEvents {

  private final JdbcClient jdbc;

  JobEvents(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void record(UUID jobId, JobState from, JobState to, String reason) {
    jdbc.sql("insert into job_events (job_id, from_state, to_state, reason) values (:id, :from, :to, :reason)")
        .param("id", jobId).param("from", from == null ? null : from.name()).param("to", to.name())
        .param("reason", reason)
        .update();
  }

  List<JobEvent> of(UUID jobId) {
    return jdbc.sql("select at, from_state, to_state, worker, attempt, reason from job_events where job_id = :id order by id")
        .param("id", jobId)
        .query((rs, i) -> new JobEvent(rs.getTimestamp("at").toInstant(),
            rs.getString("from_state") == null ? null : JobState.valueOf(rs.getString("from_state")),
            JobState.valueOf(rs.getString("to_state")), rs.getString("worker"),
            (Integer) rs.getObject("attempt"), rs.getString("reason")))
        .list();
  }

  /** Cancels a queued job at once, or asks the worker of a running one to stop; answers the state after. */
  java.util.Optional<JobState> requestCancel(UUID jobId) {
    return jdbc.sql(
            """
            with before as (select id, state as from_state from jobs where id = :id for update),
            moved as (
              update jobs j set
                  state = case when j.state = 'QUEUED' then 'CANCELLED' else 'CANCELLING' end,
                  finished_at = case when j.state = 'QUEUED' then now() else null end,
                  cancel_requested_at = now()
              from before where j.id = before.id and j.state in ('QUEUED', 'RUNNING')
              returning j.id, j.state, j.attempts, before.from_state, cast(null as text) as worker,
                  'cancellation requested' as reason
            ), event as (
              insert into job_events (job_id, from_state, to_state, worker, attempt, reason)
              select id, from_state, state, worker, attempts, reason from moved
            )
            select state from moved
            """)
        .param("id", jobId)
        .query(String.class)
        .optional()
        .map(JobState::valueOf);
  }
}
