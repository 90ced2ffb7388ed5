package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * A dissimilarity between the distribution of student features (or features and labels) and the
 * teacher's on one batch, differentiable with respect to the student's arrays.
 */
public interface FeatureDistance {

  /** @return a scalar */
  NDArray between(FeatureBatch batch);
}
