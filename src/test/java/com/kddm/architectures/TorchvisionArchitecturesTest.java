package com.kddm.architectures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TorchvisionArchitecturesTest {

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  private SequentialBlock initialised(Architecture architecture, InputShape input, int classes) {
    SequentialBlock network = architecture.build(input, architecture.defaultFeatureSize(), classes);
    network.initialize(manager, DataType.FLOAT32, input.batchOf(1));
    return network;
  }

  /** Trainable values, as torchvision counts them: BatchNorm's running statistics are buffers. */
  private static long trainableParameters(Block network) {
    return network.getParameters().values().stream()
        .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR)
        .mapToLong(p -> p.getArray().size())
        .sum();
  }

  private NetworkOutput forward(Block network, NDArray x, boolean training) {
    return NetworkOutput.of(network.forward(new ParameterStore(manager, false), new NDList(x), training));
  }

  @Test
  void resnet18HasTorchvisionsParameterCount() {
    assertThat(trainableParameters(initialised(Architecture.RESNET18, new InputShape(3, 32, 32), 1000)))
        .isEqualTo(11_689_512L);
  }

  @Test
  void resnet34HasTorchvisionsParameterCount() {
    assertThat(trainableParameters(initialised(Architecture.RESNET34, new InputShape(3, 32, 32), 1000)))
        .isEqualTo(21_797_672L);
  }

  @Test
  void mobilenetv2HasTorchvisionsParameterCount() {
    assertThat(trainableParameters(initialised(Architecture.MOBILENETV2, new InputShape(3, 32, 32), 1000)))
        .isEqualTo(3_504_872L);
  }

  @Test
  void cifarStemSwapsTheSevenBySevenConvolutionForAThreeByThreeOne() {
    long imagenet = trainableParameters(initialised(Architecture.RESNET18, new InputShape(3, 32, 32), 10));
    long cifar = trainableParameters(initialised(Architecture.RESNET18_CIFAR, new InputShape(3, 32, 32), 10));
    assertThat(imagenet - cifar).isEqualTo(64L * 3 * (7 * 7 - 3 * 3));
  }

  @Test
  void batchNormRunningStatisticsAreBuffersThatNoGradientReaches() {
    Block network = initialised(Architecture.RESNET18_CIFAR, new InputShape(1, 8, 8), 3);
    assertThat(network.getParameters().values())
        .filteredOn(p -> p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)
        .hasSize(2 * 20)
        .allSatisfy(p -> assertThat(p.requiresGradient()).isFalse());
    assertThat(network.getParameters().values()).filteredOn(p -> p.getName().equals("weight"))
        .hasSize(20 + 1);
  }

  @Test
  void everyNewArchitectureAnswersItsFeaturesAndLogitsForAOneChannelMnistSizedImage() {
    InputShape mnist = new InputShape(1, 28, 28);
    for (Architecture architecture :
        new Architecture[] {Architecture.RESNET18, Architecture.RESNET34, Architecture.RESNET18_CIFAR,
            Architecture.MOBILENETV2, Architecture.LENET}) {
      NetworkOutput out = forward(initialised(architecture, mnist, 10), manager.randomUniform(0, 1, mnist.batchOf(1)), false);
      assertThat(out.features().getShape()).as(architecture.id()).isEqualTo(new Shape(1, architecture.defaultFeatureSize()));
      assertThat(out.logits().getShape()).as(architecture.id()).isEqualTo(new Shape(1, 10));
    }
  }

  @Test
  void colourBatchesGiveOneFeatureRowAndOneLogitRowPerImage() {
    InputShape cifar = new InputShape(3, 32, 32);
    NetworkOutput resnet = forward(initialised(Architecture.RESNET18_CIFAR, cifar, 7), manager.randomUniform(0, 1, cifar.batchOf(2)), false);
    assertThat(resnet.features().getShape()).isEqualTo(new Shape(2, 512));
    assertThat(resnet.logits().getShape()).isEqualTo(new Shape(2, 7));
    NetworkOutput mobilenet = forward(initialised(Architecture.MOBILENETV2, cifar, 7), manager.randomUniform(0, 1, cifar.batchOf(2)), false);
    assertThat(mobilenet.features().getShape()).isEqualTo(new Shape(2, 1280));
    assertThat(mobilenet.logits().getShape()).isEqualTo(new Shape(2, 7));
  }

  @Test
  void theHeadDoesNotDependOnTheImageSize() {
    Block network = initialised(Architecture.RESNET18, new InputShape(3, 64, 48), 5);
    NetworkOutput out = forward(network, manager.randomUniform(0, 1, new Shape(1, 3, 64, 48)), false);
    assertThat(out.logits().getShape()).isEqualTo(new Shape(1, 5));
  }

  @Test
  void refusesImagesTooSmallForTheStemWithTheSmallestItTakes() {
    assertThatThrownBy(() -> Architecture.RESNET18.build(new InputShape(3, 16, 16), 512, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 17x17")
        .hasMessageContaining("resnet18-cifar");
    assertThatThrownBy(() -> Architecture.RESNET34_CIFAR.build(new InputShape(3, 4, 32), 512, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 5x5");
    assertThatThrownBy(() -> Architecture.MOBILENETV2.build(new InputShape(3, 32, 16), 1280, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 17x17");
    assertThatThrownBy(() -> Architecture.LENET.build(new InputShape(1, 11, 11), 84, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 12x12");
  }

  @Test
  void theSmallestImagesAcceptedGoThrough() {
    record Smallest(Architecture architecture, int side) {}
    for (Smallest s : new Smallest[] {new Smallest(Architecture.RESNET18, 17), new Smallest(Architecture.RESNET18_CIFAR, 5),
        new Smallest(Architecture.MOBILENETV2, 17), new Smallest(Architecture.LENET, 12)}) {
      InputShape input = new InputShape(2, s.side(), s.side());
      NetworkOutput out = forward(initialised(s.architecture(), input, 3), manager.ones(input.batchOf(1)), false);
      assertThat(out.logits().getShape()).as(s.architecture().id()).isEqualTo(new Shape(1, 3));
    }
  }

  @Test
  void trainingModeMovesTheRunningStatisticsByTorchsMomentumAndInferenceLeavesThem() {
    InputShape input = new InputShape(3, 8, 8);
    SequentialBlock network = initialised(Architecture.RESNET18_CIFAR, input, 4);
    NDArray x = manager.randomNormal(2f, 1f, input.batchOf(4), DataType.FLOAT32);
    SequentialBlock stem = (SequentialBlock) network.getChildren().get(0).getValue().getChildren().get(0).getValue();
    Block conv1 = stem.getChildren().get(0).getValue();
    Block bn1 = stem.getChildren().get(1).getValue();
    NDArray runningMean = bn1.getParameters().get("runningMean").getArray();
    NDArray runningVar = bn1.getParameters().get("runningVar").getArray();

    forward(network, x, false);
    assertThat(runningMean.toFloatArray()).containsOnly(0f);
    assertThat(runningVar.toFloatArray()).containsOnly(1f);

    NDArray convolved = conv1.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    NDArray perChannel = convolved.transpose(1, 0, 2, 3).reshape(64, -1);
    NDArray batchMean = perChannel.mean(new int[] {1});
    forward(network, x, true);
    assertThat(runningMean.toFloatArray()).containsExactly(batchMean.mul(0.1f).toFloatArray(), org.assertj.core.data.Offset.offset(1e-5f));
    NDArray afterTraining = runningMean.duplicate();

    forward(network, x, false);
    assertThat(runningMean.toFloatArray()).containsExactly(afterTraining.toFloatArray());
  }

  @Test
  void fixedFeatureWidthsAreTheOnlyOnesAcceptedAndAreTheDefault() {
    assertThatThrownBy(() -> new ArchitectureSpec("resnet18", 128))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resnet18 has 512 features")
        .hasMessageContaining("set featureSize to 512");
    assertThatThrownBy(() -> new ArchitectureSpec("mobilenetv2", 512))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set featureSize to 1280");
    assertThat(ArchitectureSpec.withDefaultFeatureSize("ResNet34-CIFAR")).isEqualTo(new ArchitectureSpec("resnet34-cifar", 512));
    assertThat(ArchitectureSpec.withDefaultFeatureSize("mobilenetv2").featureSize()).isEqualTo(1280);
    assertThat(ArchitectureSpec.withDefaultFeatureSize("lenet").featureSize()).isEqualTo(ArchitectureSpec.DEFAULT_FEATURE_SIZE);
    assertThat(new ArchitectureSpec("lenet", 84).featureSize()).isEqualTo(84);
    assertThat(Architecture.MLP.fixedFeatureSize()).isEmpty();
    assertThat(Architecture.RESNET34.fixedFeatureSize()).hasValue(512);
  }

  @Test
  void theCatalogKeepsMlpAndCnnAndAddsTheNewIds() {
    assertThat(Architecture.ids())
        .containsExactly("mlp", "cnn", "lenet", "resnet18", "resnet18-cifar", "resnet34", "resnet34-cifar", "mobilenetv2");
  }
}
