-- The SHA-256 of each stored file of a dataset, one "key sha256" line each, so that a download
-- answers its ETag without reading the file first. Null for datasets stored before: they are read.
alter table datasets add column file_digests text;
