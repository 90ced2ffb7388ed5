create table datasets (
    id                uuid primary key,
    name              text        not null,
    format            text        not null,
    train_samples     integer     not null check (train_samples > 0),
    test_samples      integer     not null check (test_samples >= 0),
    classes           integer     not null check (classes >= 2),
    channels          integer     not null,
    height            integer     not null,
    width             integer     not null,
    sha256            text        not null,
    bytes             bigint      not null,
    train_images_blob text        not null,
    train_labels_blob text        not null,
    test_images_blob  text,
    test_labels_blob  text,
    created_at        timestamptz not null
);

create table teachers (
    id            uuid primary key,
    name          text        not null,
    architecture  text        not null,
    feature_size  integer     not null,
    channels      integer     not null,
    height        integer     not null,
    width         integer     not null,
    classes       integer     not null,
    source        text        not null check (source in ('JOB', 'UPLOAD')),
    source_job_id uuid,
    blob_key      text        not null,
    sha256        text        not null,
    bytes         bigint      not null,
    created_at    timestamptz not null
);

create table jobs (
    id               uuid primary key,
    state            text        not null check (state in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    dataset_id       uuid        not null references datasets (id),
    teacher_id       uuid references teachers (id),
    spec             text        not null,
    attempts         integer     not null default 0,
    max_attempts     integer     not null,
    lease_owner      text,
    lease_expires_at timestamptz,
    epoch            integer     not null default 0,
    step             bigint      not null default 0,
    total_steps      bigint      not null default 0,
    result           text,
    student_blob     text,
    failure_reason   text,
    created_at       timestamptz not null,
    started_at       timestamptz,
    finished_at      timestamptz,
    check ((state = 'RUNNING') = (lease_owner is not null))
);

-- The claim scans queued jobs oldest first; the sweep scans running jobs by lease expiry.
create index jobs_queued on jobs (created_at, id) where state = 'QUEUED';
create index jobs_leases on jobs (lease_expires_at) where state = 'RUNNING';
create index jobs_newest on jobs (created_at desc, id desc);
create index jobs_by_state_newest on jobs (state, created_at desc, id desc);

create table job_epochs (
    job_id                   uuid             not null references jobs (id) on delete cascade,
    epoch                    integer          not null check (epoch >= 1),
    train_cross_entropy      double precision not null,
    train_distillation_loss  double precision,
    train_loss               double precision not null,
    validation_cross_entropy double precision not null,
    validation_accuracy      double precision not null,
    seconds                  double precision not null,
    recorded_at              timestamptz      not null,
    primary key (job_id, epoch)
);
