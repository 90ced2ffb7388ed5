package com.kddm.datasets;

import com.kddm.training.LabelledImages;
import com.kddm.training.Normalization;

/**
 * A dataset in memory, ready to train on; {@code test} is null when the dataset has no test part.
 * {@code normalization} holds the per-channel statistics of the training part.
 */
public record DatasetContent(LabelledImages train, LabelledImages test, Normalization normalization) {}
