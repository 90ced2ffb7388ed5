package com.kddm.distances;

import ai.djl.ndarray.NDArray;

/**
 * The paired feature gap mean_i ‖zS_i − zT_i‖² (FitNets-style hint loss): each student feature
 * against the teacher's feature of the same sample. This is the quantity in the method's theorem;
 * the identity pairing is one coupling, so it bounds the empirical W2 (and the proportional
 * class-conditional W2) from above on every batch.
 */
public final class PairedFeatureGap implements FeatureDistance {

  @Override
  public NDArray between(FeatureBatch batch) {
    Pairwise.requireSameShape("features", batch.studentFeatures(), batch.teacherFeatures());
    return batch.studentFeatures().sub(batch.teacherFeatures()).square().sum(new int[] {1}).mean();
  }
}
