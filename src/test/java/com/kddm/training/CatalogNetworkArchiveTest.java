package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogNetworkArchiveTest {

  @ParameterizedTest
  @CsvSource({"resnet18-cifar, 1, 8", "mobilenetv2, 3, 17", "lenet, 1, 28"})
  void archivedNetworkReloadsWithIdenticalFeaturesAndLogits(String name, int channels, int side) throws IOException {
    InputShape input = new InputShape(channels, side, side);
    ArchitectureSpec spec = ArchitectureSpec.withDefaultFeatureSize(name);
    try (Network network = Network.untrained(spec, input, 5);
        NDManager manager = NDManager.newBaseManager()) {
      network.model().getBlock().initialize(network.model().getNDManager(), DataType.FLOAT32, input.batchOf(1));
      NDArray x = manager.randomUniform(0f, 1f, input.batchOf(2));
      // A training-mode pass moves BatchNorm's running statistics away from their initial values,
      // so the archive has to carry them for the logits to match.
      network.model().getBlock().forward(new ParameterStore(manager, false), new NDList(x), true);
      NetworkOutput before = network.infer(x);

      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      network.write(archive, new Evaluation("test", 0, 0, 0, 0), Map.of());
      try (Network reloaded = Network.read(new ByteArrayInputStream(archive.toByteArray()))) {
        assertThat(reloaded.spec()).isEqualTo(spec);
        NetworkOutput after = reloaded.infer(x);
        assertThat(after.logits().toFloatArray()).containsExactly(before.logits().toFloatArray());
        assertThat(after.features().toFloatArray()).containsExactly(before.features().toFloatArray());
      }
    }
  }
}
