package com.kddm.architectures;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names the arrays of an initialised catalog network by torchvision's {@code state_dict} keys
 * ({@code conv1.weight}, {@code layer1.0.bn1.running_mean}, {@code fc.weight}, {@code
 * features.1.conv.0.0.weight}, {@code classifier.1.bias}, ...), in torchvision's order, to read or
 * write torchvision weights (safetensors, say). The arrays are the network's own, not copies:
 * {@code set} on one changes the network.
 *
 * <p>Shapes agree with torch's (convolutions {@code [out, in/groups, kh, kw]}, linear {@code [out,
 * in]}). BatchNorm's {@code weight}/{@code bias} are DJL's gamma/beta. DJL keeps no {@code
 * num_batches_tracked} counter, so those keys are absent; torch's BatchNorm fills them in when a
 * dict without them is loaded, and they only matter to BatchNorm with {@code momentum=None}.
 * {@code com.kddm.training.TorchvisionSafetensors} writes them as int64 zeros and ignores them on read.
 */
public final class TorchvisionStateDict {

  private TorchvisionStateDict() {}

  /** The keys and arrays of {@code network}, a network {@code architecture} built and initialised. */
  public static Map<String, NDArray> of(Architecture architecture, Block network) {
    Map<String, NDArray> keys = new LinkedHashMap<>();
    Block features = child(network, 0);
    Block head = child(network, 1);
    switch (architecture) {
      case RESNET18, RESNET34, RESNET18_CIFAR, RESNET34_CIFAR -> resnet(keys, features, head);
      case MOBILENETV2 -> mobilenetV2(keys, features, head);
      default -> throw new IllegalArgumentException(
          architecture.id() + " has no torchvision counterpart; resnet18, resnet34 (and -cifar) and mobilenetv2 do");
    }
    int named = keys.size();
    int held = network.getParameters().size();
    if (named != held) {
      throw new IllegalStateException("named " + named + " of the network's " + held + " arrays; is it a " + architecture.id() + "?");
    }
    return keys;
  }

  private static void resnet(Map<String, NDArray> keys, Block features, Block head) {
    Block stem = child(features, 0);
    leaf(keys, "conv1", child(stem, 0));
    leaf(keys, "bn1", child(stem, 1));
    for (int stage = 1; stage <= 4; stage++) {
      List<Block> blocks = children(child(features, stage));
      for (int b = 0; b < blocks.size(); b++) {
        String prefix = "layer" + stage + "." + b + ".";
        Block sum = child(blocks.get(b), 0);
        Block residual = child(sum, 0);
        leaf(keys, prefix + "conv1", child(residual, 0));
        leaf(keys, prefix + "bn1", child(residual, 1));
        leaf(keys, prefix + "conv2", child(residual, 3));
        leaf(keys, prefix + "bn2", child(residual, 4));
        Block shortcut = child(sum, 1);
        if (!shortcut.getParameters().isEmpty()) {
          leaf(keys, prefix + "downsample.0", child(shortcut, 0));
          leaf(keys, prefix + "downsample.1", child(shortcut, 1));
        }
      }
    }
    leaf(keys, "fc", head);
  }

  private static void mobilenetV2(Map<String, NDArray> keys, Block features, Block head) {
    List<Block> layers = children(features);
    convBnActivation(keys, "features.0.", layers.get(0));
    int last = layers.size() - 2; // the pooling has no parameters
    for (int i = 1; i < last; i++) {
      Block block = layers.get(i);
      // Blocks with a shortcut are ParallelBlock[residual, identity]; the others are the residual.
      Block residual = block instanceof SequentialBlock ? block : child(block, 0);
      List<Block> parts = children(residual);
      for (int j = 0; j < parts.size(); j++) {
        String prefix = "features." + i + ".conv." + j;
        if (parts.get(j) instanceof SequentialBlock) {
          convBnActivation(keys, prefix + ".", parts.get(j));
        } else {
          leaf(keys, prefix, parts.get(j));
        }
      }
    }
    convBnActivation(keys, "features." + last + ".", layers.get(last));
    leaf(keys, "classifier.1", child(head, 1));
  }

  private static void convBnActivation(Map<String, NDArray> keys, String prefix, Block block) {
    leaf(keys, prefix + "0", child(block, 0));
    leaf(keys, prefix + "1", child(block, 1));
  }

  private static void leaf(Map<String, NDArray> keys, String prefix, Block block) {
    for (Parameter parameter : block.getParameters().values()) {
      String name =
          switch (parameter.getName()) {
            case "weight", "gamma" -> "weight";
            case "bias", "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> throw new IllegalStateException("unexpected parameter " + parameter.getName() + " under " + prefix);
          };
      if (!parameter.isInitialized()) {
        throw new IllegalStateException("the network is not initialised (" + prefix + "." + name + ")");
      }
      keys.put(prefix + "." + name, parameter.getArray());
    }
  }

  private static Block child(Block block, int index) {
    return block.getChildren().get(index).getValue();
  }

  private static List<Block> children(Block block) {
    return block.getChildren().values();
  }
}
