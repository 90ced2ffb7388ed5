package com.kddm.architectures;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Shape of one input sample, channels first. */
public record InputShape(int channels, int height, int width) {

  public InputShape {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "input shape must be positive, got " + channels + "x" + height + "x" + width);
    }
  }

  public static InputShape of(List<Integer> dims) {
    if (dims == null || dims.size() != 3) {
      throw new IllegalArgumentException("input shape needs three dimensions (C, H, W), got " + dims);
    }
    return new InputShape(dims.get(0), dims.get(1), dims.get(2));
  }

  public int pixels() {
    return channels * height * width;
  }

  public Shape batchOf(long n) {
    return new Shape(n, channels, height, width);
  }

  public List<Integer> asList() {
    return List.of(channels, height, width);
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
