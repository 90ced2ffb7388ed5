package com.kddm.architectures;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * torchvision's BasicBlock ResNets (ResNet-18 and ResNet-34) built from DJL layers, with the same
 * layers in the same order, so that a torchvision {@code state_dict} maps one to one onto the
 * parameters (see {@link TorchvisionStateDict}).
 *
 * <p>The feature extractor is {@code SequentialBlock[stem, layer1, layer2, layer3, layer4, global
 * average pooling]}; every residual block is {@code SequentialBlock[ParallelBlock(sum)[residual,
 * shortcut], ReLU]} with residual {@code [conv1, bn1, ReLU, conv2, bn2]} and shortcut either the
 * identity or {@code [1x1 conv, BN]} (torchvision's {@code downsample}).
 */
final class ResNets {

  static final int FEATURES = 512;
  static final int[] WIDTHS = {64, 128, 256, 512};
  static final int[] RESNET18 = {2, 2, 2, 2};
  static final int[] RESNET34 = {3, 4, 6, 3};

  /** The first layers, which decide how small an image may be. */
  enum Stem {
    /** torchvision's: 7x7/2 conv, BN, ReLU, 3x3/2 max pooling (4x downsampling). */
    IMAGENET,
    /** The usual one for 32x32 images: 3x3/1 conv, BN, ReLU, no pooling. */
    CIFAR
  }

  private ResNets() {}

  /** Every halving of the image, as {@code {kernel, padding}} of a stride-2 window, in order. */
  static List<int[]> downsamplings(Stem stem) {
    return stem == Stem.IMAGENET
        ? List.of(new int[] {7, 3}, new int[] {3, 1}, new int[] {3, 1}, new int[] {3, 1}, new int[] {3, 1})
        : List.of(new int[] {3, 1}, new int[] {3, 1}, new int[] {3, 1});
  }

  static SequentialBlock featureExtractor(Stem stem, int[] blocks) {
    SequentialBlock network = new SequentialBlock();
    network.add(stem(stem));
    int inChannels = WIDTHS[0];
    for (int stage = 0; stage < WIDTHS.length; stage++) {
      SequentialBlock layer = new SequentialBlock();
      for (int b = 0; b < blocks[stage]; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        layer.add(basicBlock(inChannels, WIDTHS[stage], stride));
        inChannels = WIDTHS[stage];
      }
      network.add(layer);
    }
    network.add(Pool.globalAvgPool2dBlock());
    return network;
  }

  private static Block stem(Stem stem) {
    SequentialBlock block = new SequentialBlock();
    if (stem == Stem.IMAGENET) {
      block.add(Layers.conv(64, 7, 2)).add(Layers.batchNorm()).add(Activation.reluBlock());
      block.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    } else {
      block.add(Layers.conv(64, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock());
    }
    return block;
  }

  private static Block basicBlock(int inChannels, int outChannels, int stride) {
    SequentialBlock residual =
        new SequentialBlock()
            .add(Layers.conv(outChannels, 3, stride))
            .add(Layers.batchNorm())
            .add(Activation.reluBlock())
            .add(Layers.conv(outChannels, 3, 1))
            .add(Layers.batchNorm());
    Block shortcut =
        stride != 1 || inChannels != outChannels
            ? new SequentialBlock().add(Layers.conv(outChannels, 1, stride)).add(Layers.batchNorm())
            : Blocks.identityBlock();
    ParallelBlock sum =
        new ParallelBlock(
            branches ->
                new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow())),
            List.of(residual, shortcut));
    return new SequentialBlock().add(sum).add(Activation.reluBlock());
  }
}
