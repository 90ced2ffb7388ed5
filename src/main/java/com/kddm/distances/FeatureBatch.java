package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * One batch as a distance sees it. Student arrays carry gradient; teacher arrays are constants.
 *
 * @param studentFeatures n × d
 * @param teacherFeatures n × d (after the projector, when the widths differ)
 * @param labels n ground-truth classes, int32
 * @param studentLogits n × classes
 * @param teacherLogits n × classes
 */
public record FeatureBatch(
    NDArray studentFeatures, NDArray teacherFeatures, NDArray labels, NDArray studentLogits, NDArray teacherLogits) {

  /** A batch for distances that read features only. */
  public static FeatureBatch ofFeatures(NDArray student, NDArray teacher) {
    return new FeatureBatch(student, teacher, null, null, null);
  }
}
