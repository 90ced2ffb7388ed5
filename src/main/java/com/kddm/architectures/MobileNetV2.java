package com.kddm.architectures;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's MobileNetV2 at width 1.0, built from DJL layers in torchvision's order: a 32-filter
 * 3x3/2 stem, seventeen inverted residual blocks, a 1x1 conv to 1280 channels (each conv followed by
 * BatchNorm and, except the projections, ReLU6), then global average pooling. The head is
 * torchvision's classifier, dropout 0.2 then a linear layer; the features are the 1280 pooled
 * values before the dropout, so distillation compares them unperturbed.
 */
final class MobileNetV2 {

  static final int FEATURES = 1280;
  static final float DROPOUT = 0.2f;

  /** torchvision's inverted residual settings: expansion t, channels c, repeats n, stride s. */
  static final int[][] SETTINGS = {
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
  };

  private static final int STEM = 32;

  private MobileNetV2() {}

  /** Every halving of the image, as {@code {kernel, padding}} of a stride-2 window, in order. */
  static List<int[]> downsamplings() {
    List<int[]> halvings = new ArrayList<>();
    halvings.add(new int[] {3, 1});
    for (int[] setting : SETTINGS) {
      if (setting[3] == 2) {
        halvings.add(new int[] {3, 1});
      }
    }
    return halvings;
  }

  static SequentialBlock featureExtractor() {
    SequentialBlock features = new SequentialBlock();
    features.add(convBnRelu6(STEM, 3, 2, 1));
    int in = STEM;
    for (int[] setting : SETTINGS) {
      for (int i = 0; i < setting[2]; i++) {
        features.add(invertedResidual(in, setting[1], i == 0 ? setting[3] : 1, setting[0]));
        in = setting[1];
      }
    }
    features.add(convBnRelu6(FEATURES, 1, 1, 1));
    features.add(Pool.globalAvgPool2dBlock());
    return features;
  }

  static Block head(int classes) {
    return new SequentialBlock()
        .add(Dropout.builder().optRate(DROPOUT).build())
        .add(Linear.builder().setUnits(classes).build());
  }

  private static Block convBnRelu6(int filters, int kernel, int stride, int groups) {
    return new SequentialBlock()
        .add(Layers.conv(filters, kernel, stride, groups))
        .add(Layers.batchNorm())
        .add(Activation.relu6Block());
  }

  private static Block invertedResidual(int in, int out, int stride, int expansion) {
    int hidden = in * expansion;
    SequentialBlock residual = new SequentialBlock();
    if (expansion != 1) {
      residual.add(convBnRelu6(hidden, 1, 1, 1));
    }
    residual.add(convBnRelu6(hidden, 3, stride, hidden));
    residual.add(Layers.conv(out, 1, 1)).add(Layers.batchNorm());
    if (stride != 1 || in != out) {
      return residual;
    }
    return new ParallelBlock(
        branches -> new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow())),
        List.of(residual, Blocks.identityBlock()));
  }
}
