package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * Hinton et al.'s knowledge distillation on logits, the baseline next to the feature distances:
 * T² · KL(softmax(ŷT/T) ‖ softmax(ŷS/T)), averaged over the batch. The T² keeps the gradient's
 * scale comparable across temperatures. Reads logits only.
 */
public final class HintonDistillation implements FeatureDistance {

  private final double temperature;

  /** @param temperature T, &gt; 0 */
  public HintonDistillation(double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
    }
    this.temperature = temperature;
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    Pairwise.requireSameShape("logits", batch.studentLogits(), batch.teacherLogits());
    NDArray logStudent = batch.studentLogits().div(temperature).logSoftmax(1);
    NDArray logTeacher = batch.teacherLogits().div(temperature).logSoftmax(1);
    NDArray perSample = logTeacher.exp().mul(logTeacher.sub(logStudent)).sum(new int[] {1});
    return perSample.mul(temperature * temperature).mean();
  }
}
