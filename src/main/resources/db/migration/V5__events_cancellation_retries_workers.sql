-- Cancellation adds CANCELLING: a running job keeps its lease until its worker stops training.
alter table jobs drop constraint jobs_state_check;
alter table jobs add constraint jobs_state_check
    check (state in ('QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
alter table jobs drop constraint jobs_check;
alter table jobs add constraint jobs_lease_check
    check ((state in ('RUNNING', 'CANCELLING')) = (lease_owner is not null));

alter table jobs
    -- a job retried after an infrastructure error waits until then
    add column not_before       timestamptz,
    add column idempotency_key  text unique,
    add column request_sha256   text,
    add column max_run_seconds  bigint not null default 86400,
    add column cancel_requested_at timestamptz;

drop index jobs_queued;
create index jobs_queued on jobs (created_at, id) where state = 'QUEUED';
drop index jobs_leases;
create index jobs_leases on jobs (lease_expires_at) where state in ('RUNNING', 'CANCELLING');

-- Every state change, with who made it and why; written in the statement that makes the change.
create table job_events (
    id         bigserial primary key,
    job_id     uuid        not null references jobs (id) on delete cascade,
    at         timestamptz not null default now(),
    from_state text,
    to_state   text        not null,
    worker     text,
    attempt    integer,
    reason     text
);
create index job_events_by_job on job_events (job_id, id);

create table workers (
    id           text primary key,
    host         text        not null,
    device       text        not null,
    state        text        not null check (state in ('IDLE', 'BUSY', 'STOPPED')),
    current_job  uuid,
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null
);
