-- A dataset or teacher can be deleted once no unfinished job uses it; finished jobs keep their
-- history and lose the reference.
alter table jobs alter column dataset_id drop not null;
alter table jobs drop constraint jobs_dataset_id_fkey;
alter table jobs add constraint jobs_dataset_id_fkey foreign key (dataset_id) references datasets (id) on delete set null;
alter table jobs drop constraint jobs_teacher_id_fkey;
alter table jobs add constraint jobs_teacher_id_fkey foreign key (teacher_id) references teachers (id) on delete set null;
