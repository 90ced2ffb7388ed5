-- NumPy .npz datasets: one archive instead of four IDX files.
alter table datasets alter column train_images_blob drop not null;
alter table datasets alter column train_labels_blob drop not null;
alter table datasets add column archive_blob text;
alter table datasets add constraint datasets_format_check check (
    (format = 'idx' and train_images_blob is not null and train_labels_blob is not null and archive_blob is null)
    or (format = 'npz' and archive_blob is not null and train_images_blob is null and train_labels_blob is null
        and test_images_blob is null and test_labels_blob is null));
