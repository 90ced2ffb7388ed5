package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.kddm.architectures.Architecture;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class TorchvisionSafetensorsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final InputShape SMALL = new InputShape(1, 8, 8);
  private static byte[] resnet18Cifar;

  /** A resnet18-cifar with 3 classes and BatchNorm statistics moved by a training-mode pass. */
  static Network trained(String architecture, InputShape input, int classes) {
    Network network = Network.initialised(ArchitectureSpec.withDefaultFeatureSize(architecture), input, classes);
    try (NDManager scratch = network.manager().newSubManager()) {
      for (int i = 0; i < 3; i++) {
        NDArray x = scratch.randomUniform(0f, 1f, input.batchOf(4));
        network.model().getBlock().forward(new ParameterStore(scratch, false), new NDList(x), true);
      }
    }
    return network;
  }

  static byte[] safetensors(Network network) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TorchvisionSafetensors.write(network, out);
    return out.toByteArray();
  }

  @BeforeAll
  static void writeOne() throws IOException {
    try (Network network = trained("resnet18-cifar", SMALL, 3)) {
      resnet18Cifar = safetensors(network);
    }
  }

  @AfterAll
  static void forget() {
    resnet18Cifar = null;
  }

  @ParameterizedTest
  @CsvSource({"resnet18-cifar, 1, 8, 3", "resnet34, 3, 17, 2", "mobilenetv2, 3, 17, 5"})
  void writtenWeightsReadBackIntoTheSameNetwork(String name, int channels, int side, int classes) throws IOException {
    InputShape input = new InputShape(channels, side, side);
    try (Network network = trained(name, input, classes); NDManager manager = NDManager.newBaseManager()) {
      byte[] file = safetensors(network);
      assertThat(safetensors(network)).as("the same bytes every time").isEqualTo(file);
      NDArray x = manager.randomUniform(0f, 1f, input.batchOf(2));
      NetworkOutput before = network.infer(x);
      try (Network read = TorchvisionSafetensors.read(new ByteArrayInputStream(file), Architecture.named(name), input)) {
        assertThat(read.classes()).isEqualTo(classes);
        assertThat(read.spec()).isEqualTo(network.spec());
        NetworkOutput after = read.infer(x);
        assertThat(after.logits().toFloatArray()).containsExactly(before.logits().toFloatArray());
        assertThat(after.features().toFloatArray()).containsExactly(before.features().toFloatArray());
      }
    }
  }

  @Test
  void theFileHasTorchvisionsKeysAndCountersAsTorchWritesThem() throws IOException {
    Map<String, TorchvisionSafetensors.Entry> header =
        TorchvisionSafetensors.readHeader(new DataInputStream(new ByteArrayInputStream(resnet18Cifar)));
    assertThat(header).hasSize(122); // resnet18.keys, num_batches_tracked included
    assertThat(header.keySet()).startsWith("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
        "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight");
    assertThat(header.get("bn1.num_batches_tracked").dtype()).isEqualTo("I64");
    assertThat(header.get("bn1.num_batches_tracked").shape()).isEmpty();
    assertThat(header.get("conv1.weight").shape()).containsExactly(64, 1, 3, 3);
    assertThat(header.get("fc.weight").shape()).containsExactly(3, 512);
    long headerLength = ByteBuffer.wrap(resnet18Cifar, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    assertThat(TorchvisionSafetensors.looksLike(Arrays.copyOf(resnet18Cifar, 9), resnet18Cifar.length)).isTrue();
  }

  @Test
  void countersAreOptional() throws IOException {
    byte[] file = rewrite(header -> header.properties().removeIf(e -> e.getKey().endsWith(".num_batches_tracked")));
    try (Network read = TorchvisionSafetensors.read(new ByteArrayInputStream(file), Architecture.RESNET18_CIFAR, SMALL)) {
      assertThat(read.classes()).isEqualTo(3);
    }
  }

  @Test
  void aMissingKeyIsNamed() {
    byte[] file = rewrite(header -> header.remove("layer3.1.bn2.running_var"));
    assertRefused(file, Architecture.RESNET18_CIFAR, SMALL, "missing key layer3.1.bn2.running_var");
  }

  @Test
  void anUnknownKeyIsNamed() {
    byte[] file = rewrite(header -> header.set("layer5.0.conv1.weight", header.get("fc.bias").deepCopy()));
    assertRefused(file, Architecture.RESNET18_CIFAR, SMALL, "unknown key layer5.0.conv1.weight");
  }

  @Test
  void anotherArchitectureIsRefusedByItsFirstStrangeKey() {
    assertRefused(resnet18Cifar, Architecture.MOBILENETV2, new InputShape(1, 32, 32), "missing key classifier.1.weight");
    assertRefused(resnet18Cifar, Architecture.RESNET34_CIFAR, SMALL, "missing key layer1.2.conv1.weight");
  }

  @Test
  void aWrongShapeIsNamedWithBothShapes() {
    assertRefused(resnet18Cifar, Architecture.RESNET18_CIFAR, new InputShape(3, 8, 8),
        "conv1.weight has shape [64, 1, 3, 3], but a resnet18-cifar network for input 3x8x8 expects [64, 3, 3, 3]");
    assertRefused(resnet18Cifar, Architecture.RESNET18, new InputShape(1, 32, 32), "conv1.weight has shape");
  }

  @Test
  void aWrongDtypeIsNamed() {
    byte[] file = rewrite(header -> ((ObjectNode) header.get("fc.bias")).put("dtype", "I32"));
    assertRefused(file, Architecture.RESNET18_CIFAR, SMALL, "fc.bias is I32; every weight must be float32");
  }

  @Test
  void offsetsThatDisagreeWithTheShapeAreRefused() {
    byte[] file = rewrite(header -> ((ObjectNode) header.get("fc.bias")).putArray("shape").add(4));
    assertRefused(file, Architecture.RESNET18_CIFAR, SMALL, "fc.bias declares shape [4]");
  }

  @Test
  void aTruncatedFileIsRefused() {
    byte[] file = Arrays.copyOf(resnet18Cifar, resnet18Cifar.length - 100);
    assertRefused(file, Architecture.RESNET18_CIFAR, SMALL, "the file ends inside the data of fc.weight");
  }

  @Test
  void somethingElseIsNotSafetensors() {
    byte[] zip = {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0};
    assertRefused(zip, Architecture.RESNET18_CIFAR, SMALL, "not a safetensors file");
    assertThat(TorchvisionSafetensors.looksLike(Arrays.copyOf(zip, 9), zip.length)).isFalse();
    byte[] notJson = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4).put("{no}".getBytes()).array();
    assertRefused(notJson, Architecture.RESNET18_CIFAR, SMALL, "the header is not JSON");
  }

  @Test
  void architecturesWithoutTorchvisionNamesAreRefused() {
    assertRefused(resnet18Cifar, Architecture.MLP, SMALL, "mlp has no torchvision counterpart");
    try (Network mlp = Network.initialised(ArchitectureSpec.withDefaultFeatureSize("mlp"), SMALL, 3)) {
      assertThatThrownBy(() -> TorchvisionSafetensors.write(mlp, new ByteArrayOutputStream()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no torchvision counterpart");
    }
  }

  private static void assertRefused(byte[] file, Architecture architecture, InputShape input, String message) {
    assertThatThrownBy(() -> TorchvisionSafetensors.read(new ByteArrayInputStream(file), architecture, input).close())
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining(message);
  }

  /** The resnet18-cifar file with its header edited (data offsets are recomputed, data copied). */
  private static byte[] rewrite(Consumer<ObjectNode> edit) {
    try {
      long length = ByteBuffer.wrap(resnet18Cifar, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      ObjectNode header = (ObjectNode) JSON.readTree(new String(resnet18Cifar, 8, (int) length, StandardCharsets.UTF_8));
      Map<String, byte[]> data = new LinkedHashMap<>();
      header.properties().forEach(e -> {
        if (!e.getKey().equals("__metadata__")) {
          int begin = e.getValue().get("data_offsets").get(0).asInt();
          int end = e.getValue().get("data_offsets").get(1).asInt();
          data.put(e.getKey(), Arrays.copyOfRange(resnet18Cifar, 8 + (int) length + begin, 8 + (int) length + end));
        }
      });
      edit.accept(header);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (var e : header.properties()) {
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        byte[] bytes = data.getOrDefault(e.getKey(), data.get("fc.bias"));
        ((ObjectNode) e.getValue()).putArray("data_offsets").add(body.size()).add(body.size() + bytes.length);
        body.write(bytes);
      }
      byte[] json = JSON.writeValueAsBytes(header);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      out.write(json);
      body.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
