package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.kddm.distances.DistanceParameters.Definition;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistanceKindTest {

  @Test
  void catalogListsEveryDistanceByItsApiName() {
    assertThat(DistanceKind.ids()).containsExactly("w2", "class-w2", "joint-w2", "mmd", "hinton-kd", "paired-l2",
        "gaussian-w2", "class-gaussian-w2", "gaussian-kl");
    for (DistanceKind kind : DistanceKind.values()) {
      assertThat(DistanceKind.named(kind.id())).isSameAs(kind);
      assertThat(kind.description()).isNotBlank();
      assertThat(kind.create(Map.of())).as(kind.id()).isNotNull();
    }
  }

  @Test
  void defaultsAreThoseTheMethodDescribes() {
    assertThat(DistanceKind.W2.resolve(Map.of()).asMap())
        .isEqualTo(Map.of("solver", "exact", "epsilon", 0.05, "iterations", 200.0));
    assertThat(DistanceKind.W2.create(Map.of())).isInstanceOf(EmpiricalWasserstein.class);
    assertThat(DistanceKind.CLASS_W2.resolve(Map.of()).choice("classWeighting")).isEqualTo("proportional");
    assertThat(DistanceKind.JOINT_W2.resolve(Map.of()).asMap()).isEqualTo(Map.of("beta", 1.0, "labelCost", "logits"));
    assertThat(DistanceKind.MMD.resolve(Map.of()).asMap())
        .isEqualTo(Map.of("kernel", "gaussian", "degree", 2.0, "offset", 0.0, "bandwidth", "median"));
    assertThat(DistanceKind.HINTON_KD.resolve(Map.of()).number("temperature")).isEqualTo(4.0);
    assertThat(DistanceKind.PAIRED_L2.parameters()).isEmpty();
  }

  @Test
  void w2SelectsTheSinkhornSolverWithItsParameters() {
    FeatureDistance distance = DistanceKind.W2.create(Map.of("solver", "sinkhorn", "epsilon", 0.1, "iterations", 50));
    assertThat(distance).isInstanceOfSatisfying(SinkhornWasserstein.class, s -> {
      assertThat(s.epsilon()).isEqualTo(0.1);
      assertThat(s.iterations()).isEqualTo(50);
    });
  }

  @Test
  void w2RefusesAnUnknownSolverAndAFractionalIterationCount() {
    assertThatThrownBy(() -> DistanceKind.W2.resolve(Map.of("solver", "greedy")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'solver'");
    assertThatThrownBy(() -> DistanceKind.W2.resolve(Map.of("solver", "sinkhorn", "iterations", 10.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'iterations' must be a whole number");
    assertThatThrownBy(() -> DistanceKind.W2.resolve(Map.of("epsilon", 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'epsilon'");
  }

  @Test
  void classW2RefusesAnUnknownWeighting() {
    assertThatThrownBy(() -> DistanceKind.CLASS_W2.resolve(Map.of("classWeighting", "inverse")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'classWeighting'");
  }

  @Test
  void jointW2RefusesANegativeBetaAndAnUnknownLabelCost() {
    assertThatThrownBy(() -> DistanceKind.JOINT_W2.resolve(Map.of("beta", -1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'beta'");
    assertThatThrownBy(() -> DistanceKind.JOINT_W2.resolve(Map.of("labelCost", "hinge")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'labelCost'");
  }

  @Test
  void mmdRefusesAFractionalDegreeAndAnUnknownKernel() {
    assertThatThrownBy(() -> DistanceKind.MMD.resolve(Map.of("kernel", "polynomial", "degree", 2.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'degree' must be a whole number");
    assertThatThrownBy(() -> DistanceKind.MMD.resolve(Map.of("kernel", "laplacian")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kernel'");
  }

  @Test
  void hintonKdRefusesANonPositiveTemperature() {
    assertThatThrownBy(() -> DistanceKind.HINTON_KD.resolve(Map.of("temperature", 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'temperature'");
  }

  @Test
  void pairedL2TakesNoParameters() {
    assertThatThrownBy(() -> DistanceKind.PAIRED_L2.resolve(Map.of("beta", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter 'beta'");
  }

  @Test
  void everyNumericParameterHasARangeAndEveryChoiceItsDefaultAmongItsValues() {
    for (DistanceKind kind : DistanceKind.values()) {
      for (Definition d : kind.parameters()) {
        if (d.type().equals("number")) {
          assertThat(d.min()).as(kind.id() + "." + d.name()).isNotNull();
          assertThat(d.max()).as(kind.id() + "." + d.name()).isNotNull();
        } else {
          assertThat(d.allowed()).as(kind.id() + "." + d.name()).contains((String) d.defaultValue());
        }
      }
    }
  }

  @Test
  void distancesThatNeedLabelsOrLogitsSaySoWhenTheBatchLacksThem() {
    try (NDManager manager = NDManager.newBaseManager()) {
      FeatureBatch featuresOnly = FeatureBatch.ofFeatures(manager.ones(new Shape(4, 3)), manager.zeros(new Shape(4, 3)));
      assertThatThrownBy(() -> DistanceKind.CLASS_W2.create(Map.of()).between(featuresOnly))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
      assertThatThrownBy(() -> DistanceKind.JOINT_W2.create(Map.of()).between(featuresOnly))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logits");
      assertThatThrownBy(() -> DistanceKind.HINTON_KD.create(Map.of()).between(featuresOnly))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logits");
      FeatureBatch mismatched = FeatureBatch.ofFeatures(manager.ones(new Shape(4, 3)), manager.zeros(new Shape(4, 2)));
      assertThatThrownBy(() -> DistanceKind.PAIRED_L2.create(Map.of()).between(mismatched))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same shape");
      assertThatThrownBy(() -> DistanceKind.MMD.create(Map.of()).between(mismatched))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same shape");
    }
  }
}
