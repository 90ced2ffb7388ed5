package com.kddm.training;

/** Accuracy of a network on one split of a dataset. */
public record Evaluation(String split, int samples, int correct, double accuracy, double crossEntropy) {}
