package com.kddm.training;

import ai.djl.ndarray.NDArray;

/** The classification part of the KDDM objective. */
final class Objectives {

  private Objectives() {}

  /** Mean cross-entropy of integer labels under softmax(logits). */
  static NDArray crossEntropy(NDArray logits, NDArray labels, int classes) {
    NDArray logProbabilities = logits.logSoftmax(1);
    return logProbabilities.mul(labels.oneHot(classes)).sum(new int[] {1}).mean().neg();
  }
}
