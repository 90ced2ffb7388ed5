-- The last checkpoint of a job: a new attempt resumes from it instead of starting over.
alter table jobs
    add column checkpoint_blob  text,
    add column checkpoint_epoch integer,
    add column checkpoint_step  bigint;
