-- Datasets the server is configured with (kddm.datasets.builtin): imported once, by name.
alter table datasets add column builtin boolean not null default false;
create unique index datasets_builtin_name on datasets (name) where builtin;
