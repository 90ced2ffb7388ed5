package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import com.kddm.distances.DistanceKind;
import com.kddm.testing.SyntheticImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The student trains on normalised images, the teacher gets its own preparation, archives remember both. */
class InputNormalizationTrainingTest {

  private static final LabelledImages TRAIN = SyntheticImages.generate(300, 4, 12, 1);
  private static final LabelledImages TEST = SyntheticImages.generate(80, 4, 12, 2);
  private static final Normalization DATASET = Normalization.of(TRAIN);
  private final DistillationTrainer trainer = new DistillationTrainer();

  private static TrainingSettings settings(int epochs, long seed) {
    return new TrainingSettings(epochs, 32, 1e-3f, "adam", seed, 0.2);
  }

  @Test
  void theTrainedStudentNormalisesItsInputsAndItsArchiveRemembersHow() throws IOException {
    TrainingPlan plan = new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("mlp", 16), null, null, settings(2, 3), DATASET);
    try (DistillationTrainer.Outcome outcome = trainer.train(plan, new TrainingListener() {})) {
      assertThat(outcome.student().inputNormalization()).isEqualTo(DATASET);
      assertThat(outcome.evaluation().accuracy()).isGreaterThan(0.8);
      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      outcome.student().write(archive, outcome.evaluation(), Map.of());
      try (Network reloaded = Network.read(new ByteArrayInputStream(archive.toByteArray()))) {
        assertThat(reloaded.inputNormalization()).isEqualTo(DATASET);
        assertThat(reloaded.evaluate(TEST, "test", 50).correct()).isEqualTo(outcome.evaluation().correct());
      }
      String manifest = new String(manifestOf(archive.toByteArray()), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(manifest).contains("\"inputNormalization\"").contains("(uint8 pixel / 255 - mean[c]) / std[c]");
    }
  }

  @Test
  void aNetworkWithStatisticsAnswersAsTheSameWeightsOnImagesNormalisedBeforehand() throws IOException {
    TrainingPlan plan = new TrainingPlan(TRAIN, null, new ArchitectureSpec("mlp", 8), null, null, settings(1, 4), DATASET);
    try (DistillationTrainer.Outcome outcome = trainer.train(plan, new TrainingListener() {});
        NDManager manager = NDManager.newBaseManager()) {
      float[] scaled = TEST.scaledPixels(new int[] {0, 1, 2}, 0, 3);
      NDArray raw = manager.create(scaled.clone(), TEST.shape().batchOf(3));
      float[] normalised = outcome.student().infer(raw).logits().toFloatArray();
      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      outcome.student().write(archive, outcome.evaluation(), Map.of());
      try (Network plain = Network.read(new ByteArrayInputStream(archive.toByteArray()))
          .normalizingInputsWith(Normalization.NONE)) {
        NDArray prepared = manager.create(DATASET.applyTo(scaled.clone(), TEST.shape()), TEST.shape().batchOf(3));
        assertThat(plain.infer(prepared).logits().toFloatArray())
            .containsExactly(normalised, org.assertj.core.api.Assertions.within(1e-5f));
      }
    }
  }

  @Test
  void theTeacherIsGivenImagesInZeroToOneAndNormalisesThemItsOwnWay() {
    Normalization teacherStatistics = new Normalization(new float[] {0.3f}, new float[] {0.4f});
    TrainingPlan teacherPlan =
        new TrainingPlan(TRAIN, null, new ArchitectureSpec("mlp", 16), null, null, settings(2, 1), teacherStatistics);
    try (DistillationTrainer.Outcome trained = trainer.train(teacherPlan, new TrainingListener() {});
        RangeRecordingTeacher teacher = new RangeRecordingTeacher(trained.student())) {
      // The student's own statistics put its inputs far outside [0, 1]; the teacher must never see those.
      Normalization studentStatistics = new Normalization(new float[] {0.9f}, new float[] {0.05f});
      TrainingPlan plan = new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("mlp", 16), teacher,
          new DistillationSettings(DistanceKind.W2, Map.of(), 0.1f), settings(1, 2), studentStatistics);
      try (DistillationTrainer.Outcome outcome = trainer.train(plan, new TrainingListener() {})) {
        assertThat(teacher.calls).isPositive();
        assertThat(teacher.min).isGreaterThanOrEqualTo(0f);
        assertThat(teacher.max).isLessThanOrEqualTo(1f);
        assertThat(outcome.teacherEvaluation().correct())
            .isEqualTo(trained.student().evaluate(TEST, "test", 64).correct());
        assertThat(outcome.student().inputNormalization()).isEqualTo(studentStatistics);
      }
    }
  }

  @Test
  void safetensorsDownloadsCarryTheStatisticsAndReadBackWithThem() throws IOException {
    Normalization statistics = new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    try (Network network = Network.initialised(new ArchitectureSpec("resnet18-cifar", 512), new InputShape(3, 32, 32), 3)
        .normalizingInputsWith(statistics)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TorchvisionSafetensors.write(network, out);
      try (Network read = TorchvisionSafetensors.read(new ByteArrayInputStream(out.toByteArray()),
          network.spec().architecture(), new InputShape(3, 32, 32))) {
        assertThat(read.inputNormalization()).isEqualTo(statistics);
      }
    }
  }

  private static byte[] manifestOf(byte[] archive) throws IOException {
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new ByteArrayInputStream(archive))) {
      for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().equals(Network.MANIFEST)) {
          return zip.readAllBytes();
        }
      }
    }
    throw new AssertionError("no manifest");
  }

  /** A teacher that remembers the range of the images it was asked about. */
  private static final class RangeRecordingTeacher implements TeacherModel {
    private final Network delegate;
    int calls;
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;

    RangeRecordingTeacher(Network delegate) {
      this.delegate = delegate;
    }

    @Override
    public NetworkOutput infer(NDArray images) {
      calls++;
      min = Math.min(min, images.min().getFloat());
      max = Math.max(max, images.max().getFloat());
      return delegate.infer(images);
    }

    @Override
    public Normalization inputNormalization() {
      return delegate.inputNormalization();
    }

    @Override
    public boolean hasHead() {
      return true;
    }

    @Override
    public NDArray headLogits(NDArray features) {
      return delegate.headLogits(features);
    }

    @Override
    public InputShape inputShape() {
      return delegate.inputShape();
    }

    @Override
    public int classes() {
      return delegate.classes();
    }

    @Override
    public int featureSize() {
      return delegate.featureSize();
    }

    @Override
    public NDManager manager() {
      return delegate.manager();
    }

    @Override
    public void close() {}
  }
}
