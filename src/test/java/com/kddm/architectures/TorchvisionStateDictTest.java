package com.kddm.architectures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TorchvisionStateDictTest {

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  private Map<String, NDArray> stateDict(Architecture architecture, InputShape input, int classes) {
    SequentialBlock network = architecture.build(input, architecture.defaultFeatureSize(), classes);
    network.initialize(manager, DataType.FLOAT32, input.batchOf(1));
    return TorchvisionStateDict.of(architecture, network);
  }

  /** torchvision's keys, less the num_batches_tracked counters DJL does not keep. */
  private static List<String> torchvisionKeys(String resource) throws IOException {
    try (InputStream in = TorchvisionStateDictTest.class.getResourceAsStream("/torchvision/" + resource)) {
      return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
          .filter(key -> !key.endsWith(".num_batches_tracked"))
          .toList();
    }
  }

  @Test
  void resnet18KeysAreTorchvisionsInTorchvisionsOrder() throws IOException {
    Map<String, NDArray> dict = stateDict(Architecture.RESNET18, new InputShape(3, 32, 32), 1000);
    assertThat(dict.keySet()).containsExactlyElementsOf(torchvisionKeys("resnet18.keys"));
    assertThat(dict.get("conv1.weight").getShape()).isEqualTo(new Shape(64, 3, 7, 7));
    assertThat(dict.get("layer2.0.downsample.0.weight").getShape()).isEqualTo(new Shape(128, 64, 1, 1));
    assertThat(dict.get("layer4.1.bn2.running_var").getShape()).isEqualTo(new Shape(512));
    assertThat(dict.get("fc.weight").getShape()).isEqualTo(new Shape(1000, 512));
    assertThat(dict.get("fc.bias").getShape()).isEqualTo(new Shape(1000));
  }

  @Test
  void resnet34KeysAreTorchvisionsInTorchvisionsOrder() throws IOException {
    Map<String, NDArray> dict = stateDict(Architecture.RESNET34_CIFAR, new InputShape(3, 8, 8), 10);
    assertThat(dict.keySet()).containsExactlyElementsOf(torchvisionKeys("resnet34.keys"));
    assertThat(dict.get("conv1.weight").getShape()).isEqualTo(new Shape(64, 3, 3, 3));
  }

  @Test
  void mobilenetv2KeysAreTorchvisionsInTorchvisionsOrder() throws IOException {
    Map<String, NDArray> dict = stateDict(Architecture.MOBILENETV2, new InputShape(3, 32, 32), 1000);
    assertThat(dict.keySet()).containsExactlyElementsOf(torchvisionKeys("mobilenet_v2.keys"));
    assertThat(dict.get("features.0.0.weight").getShape()).isEqualTo(new Shape(32, 3, 3, 3));
    assertThat(dict.get("features.2.conv.1.0.weight").getShape()).isEqualTo(new Shape(96, 1, 3, 3));
    assertThat(dict.get("features.17.conv.2.weight").getShape()).isEqualTo(new Shape(320, 960, 1, 1));
    assertThat(dict.get("features.18.0.weight").getShape()).isEqualTo(new Shape(1280, 320, 1, 1));
    assertThat(dict.get("classifier.1.weight").getShape()).isEqualTo(new Shape(1000, 1280));
  }

  @Test
  void theArraysAreTheNetworksOwnSoWritingThemChangesItsOutput() {
    InputShape input = new InputShape(1, 8, 8);
    SequentialBlock network = Architecture.RESNET18_CIFAR.build(input, 512, 3);
    network.initialize(manager, DataType.FLOAT32, input.batchOf(1));
    Map<String, NDArray> dict = TorchvisionStateDict.of(Architecture.RESNET18_CIFAR, network);
    NDArray x = manager.ones(input.batchOf(1));
    dict.get("fc.weight").set(manager.zeros(new Shape(3, 512)).toFloatArray());
    dict.get("fc.bias").set(new float[] {1f, 2f, 3f});
    NDArray logits = network.forward(new ParameterStore(manager, false), new NDList(x), false).get(1);
    assertThat(logits.toFloatArray()).containsExactly(1f, 2f, 3f);
  }

  @Test
  void architecturesWithoutATorchvisionCounterpartAreRefused() {
    InputShape input = new InputShape(1, 12, 12);
    SequentialBlock network = Architecture.LENET.build(input, 84, 10);
    assertThatThrownBy(() -> TorchvisionStateDict.of(Architecture.LENET, network))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no torchvision counterpart");
  }
}
