-- ImageFolder ZIP datasets (the archive as uploaded plus its images converted to IDX), test parts
-- drawn with a seed, and per-channel normalisation statistics measured at upload.
alter table datasets add column class_names text;
alter table datasets add column test_fraction double precision;
alter table datasets add column split_seed bigint;
-- Comma-separated floats, one per channel; null on rows from before V10 until they are measured.
alter table datasets add column normalization_mean text;
alter table datasets add column normalization_std text;
alter table datasets drop constraint datasets_format_check;
alter table datasets add constraint datasets_format_check check (
    (format = 'idx' and train_images_blob is not null and train_labels_blob is not null and archive_blob is null)
    or (format = 'npz' and archive_blob is not null and train_images_blob is null and train_labels_blob is null
        and test_images_blob is null and test_labels_blob is null)
    or (format = 'imagefolder' and archive_blob is not null and train_images_blob is not null
        and train_labels_blob is not null and class_names is not null));
alter table datasets add constraint datasets_split_check check (
    (test_fraction is null) = (split_seed is null)
    and (test_fraction is null or (test_fraction > 0 and test_fraction < 1 and test_images_blob is null)));
alter table datasets add constraint datasets_normalization_check check (
    (normalization_mean is null) = (normalization_std is null));
