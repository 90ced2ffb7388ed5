-- How a teacher normalises its [0, 1] inputs, per channel; null for teachers that take [0, 1] as is.
alter table teachers add column input_mean real[];
alter table teachers add column input_std real[];
alter table teachers add constraint teachers_input_normalization_pairs
    check ((input_mean is null) = (input_std is null)
        and (input_mean is null or cardinality(input_mean) = cardinality(input_std)));
