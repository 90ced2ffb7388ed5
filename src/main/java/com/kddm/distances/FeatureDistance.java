package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * A dissimilarity between the empirical distribution of student features and that of teacher
 * features on one batch, differentiable with respect to the student features.
 */
public interface FeatureDistance {

  /**
   * @param student student features, n × d, carrying gradient
   * @param teacher teacher features, m × d, constant
   * @return a scalar
   */
  NDArray between(NDArray student, NDArray teacher);
}
