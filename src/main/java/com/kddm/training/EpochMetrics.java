package com.kddm.training;

/**
 * What one epoch measured. Training losses are means over the epoch's batches; validation figures
 * are on the held-out part of the training data. {@code distillationLoss} is null without a teacher.
 */
public record EpochMetrics(
    int epoch,
    double trainCrossEntropy,
    Double trainDistillationLoss,
    double trainLoss,
    double validationCrossEntropy,
    double validationAccuracy,
    double seconds) {}
