package com.kddm.architectures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Reads the {@code [features, logits]} pair that every catalog network answers. */
public record NetworkOutput(NDArray features, NDArray logits) {

  public static NetworkOutput of(NDList outputs) {
    if (outputs.size() != 2) {
      throw new IllegalStateException("expected [features, logits], got " + outputs.size() + " outputs");
    }
    return new NetworkOutput(outputs.get(0), outputs.get(1));
  }
}
