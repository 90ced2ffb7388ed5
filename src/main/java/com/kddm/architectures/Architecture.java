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
import java.util.OptionalInt;

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
  },
  /**
   * LeNet-5 for small images, with ReLU and max pooling in place of the original's squashing
   * functions and subsampling; the feature layer is LeNet-5's 84-unit layer, widened or narrowed to
   * featureSize.
   */
  LENET(
      "lenet",
      "LeNet-5 style: conv 6 5x5 (padded), ReLU, pool, conv 16 5x5, ReLU, pool, dense 120 ReLU, "
          + "dense featureSize ReLU (LeNet-5 has 84); images of at least 12x12") {
    @Override
    public void checkInput(InputShape input) {
      if (input.height() < 12 || input.width() < 12) {
        throw new IllegalArgumentException(
            "lenet needs images of at least 12x12 (two 2x2 poolings around an unpadded 5x5 conv), got " + input);
      }
    }

    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return new SequentialBlock()
          .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(6).build())
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
          .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build())
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
          .add(Blocks.batchFlattenBlock())
          .add(Linear.builder().setUnits(120).build())
          .add(Activation.reluBlock())
          .add(Linear.builder().setUnits(featureSize).build())
          .add(Activation.reluBlock());
    }
  },
  /** torchvision's ResNet-18: BasicBlocks [2, 2, 2, 2] after the ImageNet stem. */
  RESNET18(
      "resnet18",
      "torchvision ResNet-18: 7x7/2 conv and 3x3/2 max pool stem, BasicBlocks [2,2,2,2], global average "
          + "pooling; 512 features; images of at least 17x17") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return ResNets.featureExtractor(ResNets.Stem.IMAGENET, ResNets.RESNET18);
    }
  },
  /** ResNet-18 with the 3x3/1 stem and no max pooling, the usual choice for 32x32 images. */
  RESNET18_CIFAR(
      "resnet18-cifar",
      "ResNet-18 with a 3x3/1 conv stem and no max pool (for small images such as CIFAR), BasicBlocks "
          + "[2,2,2,2]; 512 features; images of at least 5x5") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return ResNets.featureExtractor(ResNets.Stem.CIFAR, ResNets.RESNET18);
    }
  },
  /** torchvision's ResNet-34: BasicBlocks [3, 4, 6, 3] after the ImageNet stem. */
  RESNET34(
      "resnet34",
      "torchvision ResNet-34: 7x7/2 conv and 3x3/2 max pool stem, BasicBlocks [3,4,6,3], global average "
          + "pooling; 512 features; images of at least 17x17") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return ResNets.featureExtractor(ResNets.Stem.IMAGENET, ResNets.RESNET34);
    }
  },
  /** ResNet-34 with the 3x3/1 stem and no max pooling. */
  RESNET34_CIFAR(
      "resnet34-cifar",
      "ResNet-34 with a 3x3/1 conv stem and no max pool (for small images such as CIFAR), BasicBlocks "
          + "[3,4,6,3]; 512 features; images of at least 5x5") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return ResNets.featureExtractor(ResNets.Stem.CIFAR, ResNets.RESNET34);
    }
  },
  /**
   * torchvision's MobileNetV2 (width 1.0); the head is torchvision's classifier, dropout 0.2 then
   * linear, and the features are taken before the dropout.
   */
  MOBILENETV2(
      "mobilenetv2",
      "torchvision MobileNetV2 (width 1.0): inverted residual blocks with ReLU6 and depthwise convs, "
          + "global average pooling; 1280 features, dropout 0.2 before the linear head; images of at least 17x17") {
    @Override
    Block featureExtractor(InputShape input, int featureSize) {
      return MobileNetV2.featureExtractor();
    }

    @Override
    Block head(int classes) {
      return MobileNetV2.head(classes);
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

  /** The classifier on the features; torchvision's networks name it {@code fc} or {@code classifier}. */
  Block head(int classes) {
    return Linear.builder().setUnits(classes).build();
  }

  /**
   * Refuses, with {@link IllegalArgumentException}, images too small for the network: every
   * stride-2 step (stem, pooling, stage) needs at least 2 pixels to halve.
   */
  public void checkInput(InputShape input) {
    List<int[]> halvings = downsamplings();
    if (halvings.isEmpty()) {
      return;
    }
    int minimum = 1;
    while (!halvesCleanly(minimum, halvings)) {
      minimum++;
    }
    if (input.height() < minimum || input.width() < minimum) {
      String hint = this == RESNET18 || this == RESNET34 ? "; " + id + "-cifar takes smaller images" : "";
      throw new IllegalArgumentException(
          id + " needs images of at least " + minimum + "x" + minimum + " (it halves them " + halvings.size()
              + " times, and each halving needs at least 2 pixels), got " + input + hint);
    }
  }

  /** The stride-2 windows, {@code {kernel, padding}}, an image goes through in order. */
  private List<int[]> downsamplings() {
    return switch (this) {
      case RESNET18, RESNET34 -> ResNets.downsamplings(ResNets.Stem.IMAGENET);
      case RESNET18_CIFAR, RESNET34_CIFAR -> ResNets.downsamplings(ResNets.Stem.CIFAR);
      case MOBILENETV2 -> MobileNetV2.downsamplings();
      default -> List.of();
    };
  }

  private static boolean halvesCleanly(int side, List<int[]> halvings) {
    for (int[] window : halvings) {
      if (side < 2) {
        return false;
      }
      side = (side + 2 * window[1] - window[0]) / 2 + 1;
    }
    return true;
  }

  /**
   * The feature width when the architecture fixes it (512 for the ResNets, 1280 for MobileNetV2);
   * empty when featureSize chooses it.
   */
  public OptionalInt fixedFeatureSize() {
    return switch (this) {
      case RESNET18, RESNET18_CIFAR, RESNET34, RESNET34_CIFAR -> OptionalInt.of(ResNets.FEATURES);
      case MOBILENETV2 -> OptionalInt.of(MobileNetV2.FEATURES);
      default -> OptionalInt.empty();
    };
  }

  /** The featureSize to use when none is asked for: the fixed one, else the service's default. */
  public int defaultFeatureSize() {
    return fixedFeatureSize().orElse(ArchitectureSpec.DEFAULT_FEATURE_SIZE);
  }

  /** Refuses a featureSize the architecture cannot give. */
  public void checkFeatureSize(int featureSize) {
    OptionalInt fixed = fixedFeatureSize();
    if (fixed.isPresent() && fixed.getAsInt() != featureSize) {
      throw new IllegalArgumentException(
          id + " has " + fixed.getAsInt() + " features, fixed by the architecture; set featureSize to "
              + fixed.getAsInt() + " or leave it out (got " + featureSize + ")");
    }
  }

  /**
   * A network whose forward pass answers {@code [features, logits]}: the head is kept separate so
   * the features it reads can be matched against a teacher's.
   */
  public SequentialBlock build(InputShape input, int featureSize, int classes) {
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least two classes, got " + classes);
    }
    checkFeatureSize(featureSize);
    checkInput(input);
    SequentialBlock network = new SequentialBlock();
    network.add(featureExtractor(input, featureSize));
    network.add(head(classes));
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
