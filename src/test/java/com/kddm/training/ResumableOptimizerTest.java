package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResumableOptimizerTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  static Stream<JsonNode> torchCases() throws IOException {
    try (InputStream in = ResumableOptimizerTest.class.getResourceAsStream("/reference/optimizers.json")) {
      JsonNode root = JsonMapper.builder().build().readTree(in);
      return List.copyOf(root.get("cases").valueStream().toList()).stream();
    }
  }

  private static ResumableOptimizer named(String name, Tracker rates) {
    return switch (name) {
      case "adam" -> new AdamOptimizer(rates, 0f);
      case "adam-weight-decay" -> new AdamOptimizer(rates, 0.01f);
      case "sgd-momentum-weight-decay" -> new SgdOptimizer(rates, 0.9f, 5e-4f);
      case "sgd" -> new SgdOptimizer(rates, 0f, 0f);
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchCases")
  void eachStepMatchesTorchOptim(JsonNode c) {
    float[] rates = floats(c.get("rates"));
    ResumableOptimizer optimizer = named(c.get("name").asString(), t -> rates[t]);
    int parameters = c.get("shapes").size();
    NDArray[] weights = new NDArray[parameters];
    for (int p = 0; p < parameters; p++) {
      weights[p] = manager.create(floats(c.get("initial").get(p)), shape(c.get("shapes").get(p)));
    }
    for (int k = 0; k < rates.length; k++) {
      for (int p = 0; p < parameters; p++) {
        NDArray gradient = manager.create(floats(c.get("gradients").get(k).get(p)), weights[p].getShape());
        optimizer.update("p" + p, weights[p], gradient);
        float[] expected = floats(c.get("after").get(k).get(p));
        float[] actual = weights[p].toFloatArray();
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("%s step %d parameter %d [%d]", c.get("name").asString(), k + 1, p, i)
              .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-6f + 2e-6f * Math.abs(expected[i])));
        }
      }
    }
    assertThat(optimizer.updates()).isEqualTo(rates.length);
  }

  @Test
  void sgdMomentumFollowsTorchsConventionByHand() {
    // buf1 = g1 = 1, w1 = 1 − 0.1·1 = 0.9; buf2 = 0.5·1 + 2 = 2.5, w2 = 0.9 − 0.01·2.5 = 0.875.
    float[] rates = {0.1f, 0.01f};
    SgdOptimizer sgd = new SgdOptimizer(t -> rates[t], 0.5f, 0f);
    NDArray w = manager.create(new float[] {1f});
    sgd.update("w", w, manager.create(new float[] {1f}));
    assertThat(w.toFloatArray()[0]).isCloseTo(0.9f, org.assertj.core.data.Offset.offset(1e-7f));
    sgd.update("w", w, manager.create(new float[] {2f}));
    assertThat(w.toFloatArray()[0]).isCloseTo(0.875f, org.assertj.core.data.Offset.offset(1e-7f));
  }

  @Test
  void adamsFirstStepMovesEachWeightByTheRateAgainstTheGradientsSign() {
    // After bias correction m̂ = g and v̂ = g², so the first step is lr·g/(|g| + ε).
    AdamOptimizer adam = new AdamOptimizer(t -> 0.01f, 0f);
    NDArray w = manager.create(new float[] {1f, 1f});
    adam.update("w", w, manager.create(new float[] {3f, -0.5f}));
    assertThat(w.toFloatArray()).containsExactly(new float[] {0.99f, 1.01f}, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void anUpdateClearsTheParametersGradientAsDjlsOptimisersDo() {
    NDArray w = manager.create(new float[] {1f, 2f});
    w.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(w.mul(3f).sum());
    }
    assertThat(w.getGradient().toFloatArray()).containsExactly(3f, 3f);
    new SgdOptimizer(t -> 0.1f, 0f, 0f).update("w", w, w.getGradient().duplicate());
    assertThat(w.toFloatArray()).containsExactly(new float[] {0.7f, 1.7f}, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(w.getGradient().toFloatArray()).containsExactly(0f, 0f);
  }

  static Stream<String> optimizers() {
    return Stream.of("adam-weight-decay", "sgd-momentum-weight-decay", "sgd");
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void savingRestoringAndContinuingEqualsNeverStopping(String name) {
    Tracker rates = t -> 0.05f / (1 + t);
    Block uninterrupted = block();
    ResumableOptimizer straight = named(name, rates);
    steps(uninterrupted, straight, 0, 6);

    Block first = block();
    ResumableOptimizer before = named(name, rates);
    steps(first, before, 0, 3);
    byte[] state = before.saveState(first.getParameters());
    // A fresh block and optimiser: other parameter ids, the weights copied across.
    Block second = block();
    copyWeights(first, second);
    ResumableOptimizer after = named(name, rates);
    after.loadState(state, second.getParameters());
    assertThat(after.updates()).isEqualTo(3);
    steps(second, after, 3, 6);

    for (int i = 0; i < uninterrupted.getParameters().size(); i++) {
      assertThat(second.getParameters().get(i).getValue().getArray().toFloatArray())
          .containsExactly(uninterrupted.getParameters().get(i).getValue().getArray().toFloatArray());
    }
    assertThat(after.saveState(second.getParameters())).isEqualTo(straight.saveState(uninterrupted.getParameters()));
  }

  @Test
  void refusesTheStateOfAnotherKindOfOptimiser() {
    Block block = block();
    ResumableOptimizer adam = named("adam", t -> 0.01f);
    steps(block, adam, 0, 1);
    byte[] state = adam.saveState(block.getParameters());
    assertThatThrownBy(() -> named("sgd-momentum-weight-decay", t -> 0.01f).loadState(state, block.getParameters()))
        .isInstanceOf(InvalidDataException.class).hasMessageContaining("adam");
  }

  @Test
  void refusesAStateForParametersOfOtherShapes() {
    Block block = block();
    ResumableOptimizer adam = named("adam", t -> 0.01f);
    steps(block, adam, 0, 1);
    byte[] state = adam.saveState(block.getParameters());
    Block wider = new SequentialBlock().add(Linear.builder().setUnits(5).build()).add(Linear.builder().setUnits(2).build());
    wider.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
    assertThatThrownBy(() -> named("adam", t -> 0.01f).loadState(state, wider.getParameters()))
        .isInstanceOf(InvalidDataException.class);
  }

  @Test
  void refusesATruncatedOrGarbledState() {
    Block block = block();
    ResumableOptimizer adam = named("adam", t -> 0.01f);
    steps(block, adam, 0, 1);
    byte[] state = adam.saveState(block.getParameters());
    ResumableOptimizer fresh = named("adam", t -> 0.01f);
    assertThatThrownBy(() -> fresh.loadState(Arrays.copyOf(state, state.length - 7), block.getParameters()))
        .isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> fresh.loadState(new byte[] {1, 2, 3}, block.getParameters()))
        .isInstanceOf(InvalidDataException.class);
    assertThat(fresh.updates()).isZero();
  }

  private Block block() {
    Block block = new SequentialBlock().add(Linear.builder().setUnits(3).build()).add(Linear.builder().setUnits(2).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
    Random random = new Random(7);
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray array = p.getValue().getArray();
      float[] values = new float[(int) array.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      array.set(values);
    }
    return block;
  }

  private static void copyWeights(Block from, Block to) {
    for (int i = 0; i < from.getParameters().size(); i++) {
      to.getParameters().get(i).getValue().getArray().set(from.getParameters().get(i).getValue().getArray().toFloatArray());
    }
  }

  /** Steps {@code from} to {@code to} with gradients that depend only on the step and the parameter. */
  private void steps(Block block, ResumableOptimizer optimizer, int from, int to) {
    for (int step = from; step < to; step++) {
      int index = 0;
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray weight = p.getValue().getArray();
        Random random = new Random(step * 31L + index++);
        float[] gradient = new float[(int) weight.size()];
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] = (float) random.nextGaussian();
        }
        try (NDArray g = manager.create(gradient, weight.getShape())) {
          optimizer.update(p.getValue().getId(), weight, g);
        }
      }
    }
  }

  private static Shape shape(JsonNode dims) {
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    return new Shape(shape);
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

}
