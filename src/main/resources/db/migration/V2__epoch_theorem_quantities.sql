-- What the method's theorem bounds, measured on held-out data each epoch (null without a teacher),
-- and the learning rate the schedule reached.
alter table job_epochs
    add column validation_feature_gap double precision,
    add column validation_w2          double precision,
    add column teacher_head_accuracy  double precision,
    add column learning_rate          double precision not null default 0;
