package com.kddm.training;

/**
 * What one epoch measured. Training losses are means over the epoch's batches; validation figures
 * are on the held-out part of the training data. With a teacher, the validation part also gives
 * the quantities of the method's theorem: the paired feature gap mean‖g_S(x) − g_T(x)‖², the
 * empirical W2² between the two feature distributions (exact, batch by batch), and the accuracy of
 * the teacher's head applied to the student's features. Teacher-only figures are null without one.
 */
public record EpochMetrics(
    int epoch,
    double trainCrossEntropy,
    Double trainDistillationLoss,
    double trainLoss,
    double validationCrossEntropy,
    double validationAccuracy,
    Double validationFeatureGap,
    Double validationW2,
    Double teacherHeadAccuracy,
    double learningRate,
    double seconds) {}
