package com.kddm.workers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The pool as the database knows it: each worker's row, refreshed by its heartbeat. */
@Component
class WorkerRegistry {

  /** A worker as {@code GET /v1/workers} shows it; LOST when its heartbeat is older than a lease. */
  record WorkerView(String id, String host, String device, String state, UUID currentJob, Instant startedAt,
      Instant lastHeartbeat) {}

  private final JdbcClient jdbc;

  WorkerRegistry(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void register(String id, String host, String device) {
    jdbc.sql("""
        insert into workers (id, host, device, state, started_at, heartbeat_at) values (:id, :host, :device, 'IDLE', now(), now())
        on conflict (id) do update set host = excluded.host, device = excluded.device, state = 'IDLE',
            current_job = null, started_at = now(), heartbeat_at = now()
        """).param("id", id).param("host", host).param("device", device).update();
  }

  void beat(String id, UUID currentJob) {
    jdbc.sql("update workers set heartbeat_at = now(), state = :state, current_job = :job where id = :id")
        .param("id", id).param("state", currentJob == null ? "IDLE" : "BUSY").param("job", currentJob).update();
  }

  void stopped(String id) {
    jdbc.sql("update workers set state = 'STOPPED', current_job = null, heartbeat_at = now() where id = :id")
        .param("id", id).update();
  }

  List<WorkerView> list(Duration lostAfter) {
    return jdbc.sql("""
        select id, host, device, current_job, started_at, heartbeat_at,
            case when state <> 'STOPPED' and heartbeat_at < now() - make_interval(secs => :lostAfter) then 'LOST'
                 else state end as shown_state
        from workers order by started_at desc, id
        """)
        .param("lostAfter", lostAfter.toMillis() / 1000.0)
        .query((rs, i) -> new WorkerView(rs.getString("id"), rs.getString("host"), rs.getString("device"),
            rs.getString("shown_state"), rs.getObject("current_job", UUID.class),
            rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("heartbeat_at").toInstant()))
        .list();
  }
}
