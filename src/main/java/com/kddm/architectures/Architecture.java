package com.kddm.architectures;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/** The catalog of architectures a job can train. */
public enum Architecture {
  /** Two hidden layers on the flattened image; the second is the feature layer. */
  MLP("mlp", "multilayer perceptron: flatten, 512 ReLU, featureSize ReLU") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return new SequentialBlock()
          .add(Blocks.batchFlattenBlock())
          .add(Linear.builder().setUnits(512).build())
          .add(Activation.reluBlock())
          .add(Linear.builder().setUnits(featureSize).build())
          .add(Activation.reluBlock());
    }
  },
  /** LeNet-style network: two conv/pool stages, then a dense feature layer. */
  CNN("cnn", "small CNN: conv 32 3x3, pool, conv 64 3x3, pool, dense featureSize ReLU") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      if (input.height() < 4 || input.width() < 4) {
        throw new IllegalArgumentException("cnn needs inputs of at least 4x4, got " + input);
      }
      return new SequentialBlock()
          .add(conv(32))
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
          .add(conv(64))
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
          .add(Blocks.batchFlattenBlock())
          .add(Linear.builder().setUnits(featureSize).build())
          .add(Activation.reluBlock());
    }

    private Block conv(int filters) {
      return Conv2d.builder()
          .setKernelShape(new Shape(3, 3))
          .optPadding(new Shape(1, 1))
          .setFilters(filters)
          .build();
    }
  };

  private final String id;
  private final String description;

  Architecture(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  abstract Block featureExtractor(InputShape input, int featureSize);

  /**
   * A network whose forward pass answers {@code [features, logits]}: the head is kept separate so
   * the features it reads can be matched against a teacher's.
   */
  public SequentialBlock build(InputShape input, int featureSize, int classes) {
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least two classes, got " + classes);
    }
    SequentialBlock network = new SequentialBlock();
    network.add(featureExtractor(input, featureSize));
    network.add(Linear.builder().setUnits(classes).build());
    network.setReturnIntermediate(true);
    return network;
  }

  public static Architecture named(String id) {
    return Arrays.stream(values())
        .filter(a -> a.id.equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown architecture '" + id + "', expected one of " + ids()));
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(Architecture::id).toList();
  }
}
