package com.kddm.datasets;

import com.kddm.training.LabelledImages;

/** A dataset in memory, ready to train on; {@code test} is null when none was uploaded. */
public record DatasetContent(LabelledImages train, LabelledImages test) {}
