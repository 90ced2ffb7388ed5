package com.kddm.architectures;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** The layers torchvision's networks are made of, with torchvision's settings. */
final class Layers {

  /**
   * Torch's BatchNorm2d momentum (the weight of the new batch statistic in the running average).
   * DJL's BatchNorm momentum is the weight of the old running value, and the PyTorch engine passes
   * {@code 1 - momentum} on to torch, so DJL is given {@code 1 - 0.1}.
   */
  static final float TORCH_BATCH_NORM_MOMENTUM = 0.1f;

  static final float TORCH_BATCH_NORM_EPSILON = 1e-5f;

  private Layers() {}

  /** A bias-free square convolution with torchvision's padding {@code (kernel - 1) / 2}. */
  static Block conv(int filters, int kernel, int stride) {
    return conv(filters, kernel, stride, 1);
  }

  static Block conv(int filters, int kernel, int stride, int groups) {
    int padding = (kernel - 1) / 2;
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optGroups(groups)
        .optBias(false)
        .build();
  }

  /** BatchNorm over the channel axis with torch's defaults (eps 1e-5, momentum 0.1). */
  static Block batchNorm() {
    return BatchNorm.builder()
        .optAxis(1)
        .optEpsilon(TORCH_BATCH_NORM_EPSILON)
        .optMomentum(1f - TORCH_BATCH_NORM_MOMENTUM)
        .optCenter(true)
        .optScale(true)
        .build();
  }
}
