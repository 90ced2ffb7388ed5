package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import com.kddm.distances.DistanceKind;
import com.kddm.testing.SyntheticImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** TorchScript made by PyTorch 1.13 (scripts/make-torchscript-fixtures.py) runs in DJL's libtorch as in PyTorch. */
class TorchScriptTeacherTest {

  private static final InputShape MNIST = new InputShape(1, 28, 28);

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(TorchScriptTeacherTest.class.getResource("/teachers/" + name).toURI());
  }

  @Test
  void answersTheSameLogitsAndFeaturesAsPyTorch() throws Exception {
    JsonNode expected;
    try (InputStream in = Files.newInputStream(fixture("tiny-cnn.expected.json"))) {
      expected = JsonMapper.builder().build().readTree(in);
    }
    try (TorchScriptTeacher teacher = TorchScriptTeacher.load(fixture("tiny-cnn.pt"), MNIST);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(teacher.classes()).isEqualTo(4);
      assertThat(teacher.featureSize()).isEqualTo(32);
      float[] input = floats(expected.get("input"));
      NetworkOutput out = teacher.infer(manager.create(input, MNIST.batchOf(3)));
      float[] logits = out.logits().toFloatArray();
      float[] features = out.features().toFloatArray();
      float[] expectedLogits = floats(expected.get("logits"));
      float[] expectedFeatures = floats(expected.get("features"));
      for (int i = 0; i < logits.length; i++) {
        assertThat(logits[i]).isCloseTo(expectedLogits[i], within(1e-4f));
      }
      for (int i = 0; i < features.length; i++) {
        assertThat(features[i]).isCloseTo(expectedFeatures[i], within(1e-4f));
      }
    }
  }

  @Test
  void loadsOntoTheDeviceItIsGiven() throws Exception {
    try (TorchScriptTeacher teacher = TorchScriptTeacher.load(fixture("tiny-cnn.pt"), MNIST, Normalization.NONE, ai.djl.Device.cpu())) {
      assertThat(teacher.manager().getDevice()).isEqualTo(ai.djl.Device.cpu());
      try (NDManager batch = teacher.manager().newSubManager()) {
        assertThat(teacher.infer(batch.zeros(MNIST.batchOf(2))).features().getDevice()).isEqualTo(ai.djl.Device.cpu());
      }
    }
  }

  @Test
  void normalisesItsInputsWithTheStatisticsItWasRegisteredWith() throws Exception {
    Normalization statistics = new Normalization(new float[] {0.2860f}, new float[] {0.3530f});
    try (TorchScriptTeacher normalising = TorchScriptTeacher.load(fixture("tiny-cnn.pt"), MNIST, statistics,
            ai.djl.Device.cpu());
        TorchScriptTeacher plain = TorchScriptTeacher.load(fixture("tiny-cnn.pt"), MNIST);
        NDManager batch = plain.manager().newSubManager()) {
      float[] scaled = new float[2 * MNIST.pixels()];
      java.util.Random random = new java.util.Random(1);
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] = random.nextFloat();
      }
      float[] expected = plain.infer(batch.create(statistics.applyTo(scaled.clone(), MNIST), MNIST.batchOf(2)))
          .logits().toFloatArray();
      assertThat(normalising.inputNormalization()).isEqualTo(statistics);
      assertThat(normalising.infer(batch.create(scaled, MNIST.batchOf(2))).logits().toFloatArray())
          .containsExactly(expected, within(1e-5f));
    }
  }

  @Test
  void refusesAModuleWhoseForwardDoesNotReturnLogitsAndFeatures() {
    assertThatThrownBy(() -> TorchScriptTeacher.load(fixture("logits-only.pt"), MNIST))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("(logits, features)");
  }

  @Test
  void refusesAModuleThatCannotTakeTheInputShape() {
    assertThatThrownBy(() -> TorchScriptTeacher.load(fixture("tiny-cnn.pt"), new InputShape(3, 28, 28)))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("failed on a 2×3x28x28 batch");
  }

  @Test
  void refusesAFileThatIsNotTorchScript(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path junk = Files.writeString(dir.resolve("teacher.pt"), "definitely not a model");
    assertThatThrownBy(() -> TorchScriptTeacher.load(junk, MNIST))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("not a TorchScript module");
  }

  @Test
  void distilsAStudentThroughAProjector() throws Exception {
    LabelledImages train = SyntheticImages.generate(120, 4, 28, 3);
    try (TorchScriptTeacher teacher = TorchScriptTeacher.load(fixture("tiny-cnn.pt"), MNIST)) {
      TrainingPlan plan = new TrainingPlan(train, null, new ArchitectureSpec("mlp", 16), teacher,
          new DistillationSettings(DistanceKind.W2, Map.of(), 0.1f), new TrainingSettings(1, 32, 1e-3f, "adam", 1, 0.25));
      try (DistillationTrainer.Outcome outcome = new DistillationTrainer().train(plan, new TrainingListener() {})) {
        EpochMetrics epoch = outcome.history().get(0);
        assertThat(epoch.trainDistillationLoss()).isPositive();
        assertThat(epoch.validationW2()).isPositive();
        assertThat(epoch.teacherHeadAccuracy()).as("no separable head in TorchScript").isNull();
        assertThat(outcome.teacherEvaluation().samples()).isEqualTo(30);
      }
    }
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }
}
