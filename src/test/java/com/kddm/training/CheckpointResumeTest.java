package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.nn.ParameterList;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.distances.DistanceKind;
import com.kddm.testing.SyntheticImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointResumeTest {

  private static final LabelledImages TRAIN = SyntheticImages.generate(200, 4, 16, 1);
  private static final LabelledImages TEST = SyntheticImages.generate(60, 4, 16, 2);
  /** 160 fit samples in batches of 32: five steps an epoch. */
  private static final int STEPS_PER_EPOCH = 5;

  private static final DistillationTrainer TRAINER = new DistillationTrainer();
  /** A small teacher whose features (8) are narrower than the students' (24): a projector is trained. */
  private static DistillationTrainer.Outcome teacher;

  @BeforeAll
  static void trainTeacher() {
    teacher = TRAINER.train(new TrainingPlan(TRAIN, null, new ArchitectureSpec("mlp", 8), null, null, adam(1)),
        new TrainingListener() {});
  }

  @AfterAll
  static void closeTeacher() {
    teacher.close();
  }

  private static TrainingSettings adam(int epochs) {
    return new TrainingSettings(epochs, 32, 2e-3f, "adam", 0.9f, 1e-4f, "constant", 2e-3f, 1, 1f, "none", 4, 7, 0.2);
  }

  private static TrainingSettings sgdCosineCropFlip(int epochs) {
    return new TrainingSettings(epochs, 32, 0.05f, "sgd", 0.9f, 5e-4f, "cosine", 1e-4f, 1, 1f, "crop-flip", 2, 7, 0.2);
  }

  private static TrainingPlan plain(String architecture, TrainingSettings settings) {
    return new TrainingPlan(TRAIN, TEST, new ArchitectureSpec(architecture, 16), null, null, settings);
  }

  private static TrainingPlan distilled(TrainingSettings settings) {
    return new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("mlp", 24), teacher.student(),
        new DistillationSettings(DistanceKind.W2, Map.of(), 0.05f), settings);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> plans() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("plain cnn, sgd + cosine + crop-flip", plain("cnn", sgdCosineCropFlip(3))),
        org.junit.jupiter.params.provider.Arguments.of("plain mlp, adam", plain("mlp", adam(3))),
        org.junit.jupiter.params.provider.Arguments.of("distilled through a projector, adam", distilled(adam(3))),
        org.junit.jupiter.params.provider.Arguments.of("distilled through a projector, sgd + cosine + crop-flip",
            distilled(sgdCosineCropFlip(3))));
  }

  /** Records everything a run reports, keeps its checkpoints, and stops once {@code stopAfter} accepts one. */
  private static final class Recorder implements TrainingListener {
    final long every;
    final Predicate<Checkpoint> stopAfter;
    final List<EpochMetrics> epochs = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();
    final List<Checkpoint> checkpoints = new ArrayList<>();
    boolean stop;

    Recorder(long every, Predicate<Checkpoint> stopAfter) {
      this.every = every;
      this.stopAfter = stopAfter;
    }

    @Override
    public void onStep(int epoch, long step, long totalSteps) {
      steps.add(step);
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
      epochs.add(metrics);
    }

    @Override
    public long checkpointEverySteps() {
      return every;
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
      // Stored and read back, as a worker would.
      checkpoints.add(roundTrip(checkpoint));
      stop |= stopAfter.test(checkpoint);
    }

    @Override
    public boolean shouldStop() {
      return stop;
    }

    Checkpoint last() {
      return checkpoints.get(checkpoints.size() - 1);
    }
  }

  private static Checkpoint roundTrip(Checkpoint checkpoint) {
    try {
      return Checkpoint.read(new ByteArrayInputStream(checkpoint.toBytes()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void aRunResumedAtAnEpochsEndEndsBitForBitAsOneThatNeverStopped(String name, TrainingPlan plan) {
    Recorder straight = new Recorder(0, c -> false);
    Recorder interrupted = new Recorder(0, c -> c.completedEpochs() == 1);
    try (DistillationTrainer.Outcome uninterrupted = TRAINER.train(plan, straight)) {
      assertThatThrownBy(() -> TRAINER.train(plan, interrupted)).isInstanceOf(TrainingStoppedException.class);
      Checkpoint stored = interrupted.last();
      assertThat(stored.completedEpochs()).isEqualTo(1);
      assertThat(stored.atEpochEnd()).isTrue();

      Recorder resumedListener = new Recorder(0, c -> false);
      try (DistillationTrainer.Outcome resumed = TRAINER.train(plan, resumedListener, stored)) {
        assertSameWeights(resumed, uninterrupted);
        assertThat(resumed.history()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
        assertThat(resumed.history()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
            .containsExactlyElementsOf(uninterrupted.history());
        assertThat(resumed.evaluation()).isEqualTo(uninterrupted.evaluation());
        assertThat(resumedListener.epochs).extracting(EpochMetrics::epoch).containsExactly(2, 3);
        assertThat(resumedListener.steps).first().isEqualTo(STEPS_PER_EPOCH + 1L);
        assertThat(resumedListener.last().parameters()).isEqualTo(straight.last().parameters());
        assertThat(resumedListener.last().optimizerState()).isEqualTo(straight.last().optimizerState());
      }
    }
  }

  @Test
  void aRunResumedWithinAnEpochTrainsNoCompletedStepAgainAndKeepsItsHistoryContinuous() {
    TrainingPlan plan = distilled(sgdCosineCropFlip(3));
    Recorder straight = new Recorder(3, c -> false);
    // Stopped after step 9: epoch 2, four steps into it.
    Recorder interrupted = new Recorder(3, c -> c.globalStep() == 9);
    try (DistillationTrainer.Outcome uninterrupted = TRAINER.train(plan, straight)) {
      assertThat(straight.checkpoints).extracting(Checkpoint::globalStep)
          .containsExactly(3L, 5L, 6L, 9L, 10L, 12L, 15L);
      assertThat(straight.checkpoints).extracting(Checkpoint::completedEpochs).containsExactly(0, 1, 1, 1, 2, 2, 3);
      assertThat(straight.checkpoints).extracting(Checkpoint::stepsIntoEpoch).containsExactly(3, 0, 1, 4, 0, 2, 0);

      assertThatThrownBy(() -> TRAINER.train(plan, interrupted)).isInstanceOf(TrainingStoppedException.class);
      Checkpoint stored = interrupted.last();
      assertThat(stored.atEpochEnd()).isFalse();
      assertThat(stored.history()).extracting(EpochMetrics::epoch).containsExactly(1);

      Recorder resumedListener = new Recorder(3, c -> false);
      try (DistillationTrainer.Outcome resumed = TRAINER.train(plan, resumedListener, stored)) {
        assertThat(resumedListener.steps).containsExactly(10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(resumedListener.epochs).extracting(EpochMetrics::epoch).containsExactly(2, 3);
        assertThat(resumed.history()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
        // The epoch cut in two reports the same means as the whole one, and the weights agree.
        assertThat(resumed.history()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
            .containsExactlyElementsOf(uninterrupted.history());
        assertSameWeights(resumed, uninterrupted);
      }
    }
  }

  @Test
  void aFinishedRunsCheckpointOnlyExportsTheStudent() {
    TrainingPlan plan = plain("mlp", adam(1));
    Recorder straight = new Recorder(0, c -> false);
    try (DistillationTrainer.Outcome first = TRAINER.train(plan, straight)) {
      Recorder again = new Recorder(0, c -> false);
      try (DistillationTrainer.Outcome resumed = TRAINER.train(plan, again, straight.last())) {
        assertThat(straight.last().finished()).isTrue();
        assertThat(again.steps).isEmpty();
        assertThat(again.epochs).isEmpty();
        assertThat(resumed.history()).isEqualTo(first.history());
        assertSameWeights(resumed, first);
      }
    }
  }

  @Test
  void aCheckpointSurvivesWritingAndReading() {
    TrainingPlan plan = distilled(adam(2));
    Recorder recorder = new Recorder(2, c -> false);
    TRAINER.train(plan, recorder).close();
    Checkpoint mid = recorder.checkpoints.get(1);
    Checkpoint read = roundTrip(mid);
    assertThat(read.completedEpochs()).isEqualTo(mid.completedEpochs());
    assertThat(read.stepsIntoEpoch()).isEqualTo(mid.stepsIntoEpoch()).isEqualTo(4);
    assertThat(read.globalStep()).isEqualTo(4);
    assertThat(read.epochs()).isEqualTo(2);
    assertThat(read.history()).isEqualTo(mid.history());
    assertThat(read.plan()).isEqualTo(mid.plan());
    assertThat(read.progress()).isEqualTo(mid.progress());
    assertThat(read.parameters()).isEqualTo(mid.parameters());
    assertThat(read.optimizerState()).isEqualTo(mid.optimizerState());
    assertThat(read.toBytes()).isEqualTo(mid.toBytes());
  }

  @Test
  void refusesACorruptOrForeignFile() {
    TrainingPlan plan = plain("mlp", adam(1));
    Recorder recorder = new Recorder(0, c -> false);
    TRAINER.train(plan, recorder).close();
    byte[] bytes = recorder.last().toBytes();

    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);
    assertThatThrownBy(() -> Checkpoint.read(new ByteArrayInputStream(truncated))).isInstanceOf(InvalidDataException.class);
    for (int position : new int[] {bytes.length / 3, bytes.length / 2, bytes.length * 3 / 4}) {
      byte[] flipped = bytes.clone();
      flipped[position] ^= 0x5A;
      assertThatThrownBy(() -> Checkpoint.read(new ByteArrayInputStream(flipped)))
          .as("a byte flipped at %d", position).isInstanceOf(InvalidDataException.class);
    }
    assertThatThrownBy(() -> Checkpoint.read(new ByteArrayInputStream("not a zip at all".getBytes())))
        .isInstanceOf(InvalidDataException.class);
  }

  @Test
  void refusesToResumeAnotherPlan() {
    TrainingPlan plan = distilled(adam(2));
    Recorder recorder = new Recorder(0, c -> false);
    TRAINER.train(plan, recorder).close();
    Checkpoint checkpoint = recorder.checkpoints.get(0);

    TrainingPlan wider = new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("mlp", 32), teacher.student(),
        new DistillationSettings(DistanceKind.W2, Map.of(), 0.05f), adam(2));
    TrainingPlan otherArchitecture = new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("cnn", 24), teacher.student(),
        new DistillationSettings(DistanceKind.W2, Map.of(), 0.05f), adam(2));
    TrainingPlan noTeacher = new TrainingPlan(TRAIN, TEST, new ArchitectureSpec("mlp", 24), null, null, adam(2));
    TrainingPlan longer = distilled(adam(3));
    TrainingPlan sgd = distilled(sgdCosineCropFlip(2));
    LabelledImages threeClasses = SyntheticImages.generate(200, 3, 16, 1);
    TrainingPlan otherClasses = new TrainingPlan(threeClasses, null, new ArchitectureSpec("mlp", 24), null, null, adam(2));
    for (TrainingPlan other : List.of(wider, otherArchitecture, noTeacher, longer, sgd, otherClasses)) {
      assertThatThrownBy(() -> TRAINER.train(other, new TrainingListener() {}, checkpoint))
          .isInstanceOf(InvalidDataException.class)
          .hasMessageContaining("another training plan");
    }
  }

  @Test
  void aTrainerBoundToADeviceTrainsAndExportsThere() throws IOException {
    DistillationTrainer onCpu = new DistillationTrainer(Device.cpu());
    assertThat(onCpu.device()).isEqualTo(Device.cpu());
    try (DistillationTrainer.Outcome outcome = onCpu.train(distilled(adam(1)), new TrainingListener() {})) {
      assertThat(outcome.student().manager().getDevice()).isEqualTo(Device.cpu());
      java.io.ByteArrayOutputStream archive = new java.io.ByteArrayOutputStream();
      outcome.student().write(archive, outcome.evaluation(), Map.of());
      try (Network reloaded = Network.read(new ByteArrayInputStream(archive.toByteArray()), Device.cpu())) {
        assertThat(reloaded.manager().getDevice()).isEqualTo(Device.cpu());
        assertThat(reloaded.predict(TEST, 16)).containsExactly(outcome.student().predict(TEST, 16));
      }
    }
  }

  private static void assertSameWeights(DistillationTrainer.Outcome actual, DistillationTrainer.Outcome expected) {
    ParameterList a = actual.student().model().getBlock().getParameters();
    ParameterList e = expected.student().model().getBlock().getParameters();
    assertThat(a.size()).isEqualTo(e.size());
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).getKey()).isEqualTo(e.get(i).getKey());
      // Bit for bit; the index of the first difference keeps a failure's message short.
      assertThat(Arrays.mismatch(a.get(i).getValue().getArray().toFloatArray(), e.get(i).getValue().getArray().toFloatArray()))
          .as("first differing element of parameter %s", a.get(i).getKey())
          .isEqualTo(-1);
    }
    assertThat(actual.student().predict(TEST, 16)).containsExactly(expected.student().predict(TEST, 16));
  }
}
