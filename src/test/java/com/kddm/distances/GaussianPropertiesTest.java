package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Orderings and identities that hold on any batch. */
class GaussianPropertiesTest {

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void diagonalGaussianW2BoundsFullGaussianW2WhichBoundsEmpiricalW2WhichBoundsThePairedGap() {
    FeatureDistance diagonal = DistanceKind.named("gaussian-w2").create(Map.of("covariance", "diagonal", "epsilon", 0));
    FeatureDistance full = DistanceKind.named("gaussian-w2").create(Map.of("covariance", "full", "epsilon", 0));
    EmpiricalWasserstein empirical = new EmpiricalWasserstein();
    Random random = new Random(5);
    for (int trial = 0; trial < 40; trial++) {
      int n = 2 + random.nextInt(30);
      int d = 1 + random.nextInt(12);
      NDArray student = randomBatch(random, n, d);
      NDArray teacher = randomBatch(random, n, d);
      FeatureBatch batch = FeatureBatch.ofFeatures(student, teacher);
      double diagonalW2 = diagonal.between(batch).getDouble();
      double fullW2 = full.between(batch).getDouble();
      double empiricalW2 = empirical.between(batch).getDouble();
      double paired = student.sub(teacher).square().sum(new int[] {1}).mean().getDouble();
      String shape = "n=" + n + ", d=" + d;
      assertThat(diagonalW2).as(shape).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(fullW2 * (1 + 1e-9) + 1e-9);
      assertThat(fullW2).as(shape).isLessThanOrEqualTo(empiricalW2 * (1 + 1e-9) + 1e-9);
      assertThat(empiricalW2).as(shape).isLessThanOrEqualTo(paired * (1 + 1e-12));
    }
  }

  @Test
  void klIsNonNegativeInBothDirectionsAndBothCovarianceModels() {
    Random random = new Random(6);
    for (String covariance : new String[] {"full", "diagonal"}) {
      for (String direction : new String[] {"student-teacher", "teacher-student"}) {
        FeatureDistance kl = DistanceKind.named("gaussian-kl").create(Map.of("covariance", covariance, "direction", direction));
        for (int trial = 0; trial < 15; trial++) {
          int n = 2 + random.nextInt(30);
          int d = 1 + random.nextInt(12);
          double value = kl.between(FeatureBatch.ofFeatures(randomBatch(random, n, d), randomBatch(random, n, d))).getDouble();
          assertThat(value).as("%s %s n=%d d=%d", covariance, direction, n, d).isGreaterThanOrEqualTo(0);
        }
      }
    }
  }

  @Test
  void klIsZeroForIdenticalBatches() {
    Random random = new Random(7);
    NDArray features = randomBatch(random, 10, 24).maximum(0);
    for (String covariance : new String[] {"full", "diagonal"}) {
      for (String direction : new String[] {"student-teacher", "teacher-student"}) {
        FeatureDistance kl = DistanceKind.named("gaussian-kl").create(Map.of("covariance", covariance, "direction", direction));
        assertThat(kl.between(FeatureBatch.ofFeatures(features, features.duplicate())).getDouble())
            .as("%s %s", covariance, direction).isCloseTo(0, within(1e-8));
      }
    }
  }

  @Test
  void classGaussianW2WithOneClassIsTheGaussianW2OfTheBatch() {
    Random random = new Random(8);
    NDArray student = randomBatch(random, 20, 5);
    NDArray teacher = randomBatch(random, 20, 5);
    FeatureBatch batch = new FeatureBatch(student, teacher, manager.zeros(new Shape(20), ai.djl.ndarray.types.DataType.INT32), null, null);
    double perClass = DistanceKind.named("class-gaussian-w2").create(Map.of()).between(batch).getDouble();
    double whole = DistanceKind.named("gaussian-w2").create(Map.of()).between(batch).getDouble();
    assertThat(perClass).isCloseTo(whole, within(1e-12 * whole));
  }

  @Test
  void klWithoutEpsilonRefusesAFeatureThatNeverVaries() {
    NDArray student = manager.randomNormal(new Shape(8, 3), ai.djl.ndarray.types.DataType.FLOAT64);
    NDArray teacher = manager.randomNormal(new Shape(8, 3), ai.djl.ndarray.types.DataType.FLOAT64);
    teacher.set(new ai.djl.ndarray.index.NDIndex(":, 0"), 0);
    FeatureDistance kl = DistanceKind.named("gaussian-kl").create(Map.of("covariance", "diagonal", "epsilon", 0));
    assertThatThrownBy(() -> kl.between(FeatureBatch.ofFeatures(student, teacher)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("epsilon");
  }

  @Test
  void classGaussianW2RefusesABatchWithoutLabels() {
    NDArray features = manager.ones(new Shape(4, 2));
    FeatureDistance distance = DistanceKind.named("class-gaussian-w2").create(Map.of());
    assertThatThrownBy(() -> distance.between(FeatureBatch.ofFeatures(features, features)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels");
  }

  /** Correlated, shifted, with a different scale per feature, so that no model fits exactly. */
  private NDArray randomBatch(Random random, int n, int d) {
    double[] mix = new double[d * d];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = random.nextGaussian() / Math.sqrt(d);
    }
    double[] x = new double[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextGaussian();
    }
    double shift = random.nextGaussian();
    return manager.create(x, new Shape(n, d)).matMul(manager.create(mix, new Shape(d, d))).add(shift);
  }
}
