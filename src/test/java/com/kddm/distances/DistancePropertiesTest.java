package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.kddm.distances.ClassConditionalWasserstein.Weighting;
import com.kddm.distances.JointWasserstein.LabelCost;
import com.kddm.distances.MaximumMeanDiscrepancy.Bandwidth;
import com.kddm.distances.MaximumMeanDiscrepancy.Kernel;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Properties every batch must satisfy, on random batches of random shapes, in float64. */
class DistancePropertiesTest {

  private static final double SLACK = 1 + 1e-12;

  private NDManager manager;
  private Random random;

  /** Seeded by the test and its repetition: every repetition sees another, reproducible batch. */
  @BeforeEach
  void openManager(TestInfo test) {
    manager = NDManager.newBaseManager();
    random = new Random((test.getTestMethod().orElseThrow().getName() + test.getDisplayName()).hashCode());
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @RepeatedTest(8)
  void exactWassersteinNeverExceedsThePairedGapAndClassConditionalLiesBetween() {
    FeatureBatch batch = randomBatch();
    double w2 = value(new EmpiricalWasserstein(), batch);
    double classW2 = value(new ClassConditionalWasserstein(Weighting.PROPORTIONAL), batch);
    double paired = value(new PairedFeatureGap(), batch);
    assertThat(w2).isLessThanOrEqualTo(classW2 * SLACK);
    assertThat(classW2).isLessThanOrEqualTo(paired * SLACK);
  }

  @RepeatedTest(8)
  void eachClassTermNeverExceedsItsPairedGap() {
    FeatureBatch batch = randomBatch();
    int[] labels = batch.labels().toIntArray();
    double sumOfPairedGaps = 0;
    for (int[] members : ClassConditionalWasserstein.classes(labels).values()) {
      NDArray rows = manager.create(members);
      FeatureBatch ofClass = new FeatureBatch(batch.studentFeatures().get(rows), batch.teacherFeatures().get(rows),
          batch.labels().get(rows), null, null);
      double classTerm = value(new ClassConditionalWasserstein(Weighting.UNIFORM), ofClass);
      double pairedTerm = value(new PairedFeatureGap(), ofClass);
      assertThat(classTerm).isLessThanOrEqualTo(pairedTerm * SLACK);
      sumOfPairedGaps += pairedTerm;
    }
    assertThat(value(new ClassConditionalWasserstein(Weighting.UNIFORM), batch))
        .isLessThanOrEqualTo(sumOfPairedGaps * SLACK);
  }

  @RepeatedTest(4)
  void mmdIsNonNegativeForEveryKernel() {
    FeatureBatch batch = randomBatch();
    for (MaximumMeanDiscrepancy mmd : allMmds()) {
      assertThat(value(mmd, batch)).as("%s", mmd.kernel()).isGreaterThanOrEqualTo(-1e-12);
    }
  }

  @Test
  void mmdIsZeroForIdenticalBatches() {
    NDArray features = manager.randomNormal(new Shape(20, 6), DataType.FLOAT64);
    FeatureBatch batch = FeatureBatch.ofFeatures(features, features.duplicate());
    for (MaximumMeanDiscrepancy mmd : allMmds()) {
      assertThat(value(mmd, batch)).as("%s", mmd.kernel()).isCloseTo(0, within(1e-9));
    }
  }

  @RepeatedTest(4)
  void hintonDistillationIsNonNegativeAndZeroWhenTheLogitsAreEqual() {
    FeatureBatch batch = randomBatch();
    assertThat(value(new HintonDistillation(4), batch)).isGreaterThanOrEqualTo(0);
    FeatureBatch equal = new FeatureBatch(null, null, null, batch.teacherLogits().duplicate(), batch.teacherLogits());
    assertThat(value(new HintonDistillation(4), equal)).isCloseTo(0, within(1e-12));
    assertThat(value(new HintonDistillation(0.5), equal)).isCloseTo(0, within(1e-12));
  }

  @RepeatedTest(4)
  void jointWassersteinIsNonNegativeForEveryLabelCost() {
    FeatureBatch batch = randomBatch();
    for (LabelCost cost : LabelCost.values()) {
      assertThat(value(new JointWasserstein(1, cost), batch)).as("%s", cost).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void jointWassersteinIsZeroWhenTheStudentIsAPermutationOfTheTeacher() {
    FeatureBatch batch = randomBatch();
    long n = batch.teacherFeatures().getShape().get(0);
    NDArray reversed = manager.create(IntStream.range(0, (int) n).map(i -> (int) n - 1 - i).toArray());
    FeatureBatch permuted = new FeatureBatch(batch.teacherFeatures().get(reversed), batch.teacherFeatures(),
        batch.labels(), batch.teacherLogits().get(reversed), batch.teacherLogits());
    assertThat(value(new JointWasserstein(1, LabelCost.LOGITS), permuted)).isCloseTo(0, within(1e-12));
    assertThat(value(new JointWasserstein(1, LabelCost.PROBABILITIES), permuted)).isCloseTo(0, within(1e-12));
  }

  @Test
  void jointWassersteinWithoutTheLabelTermIsTheExactWassersteinOverKappa() {
    FeatureBatch batch = randomBatch();
    JointWasserstein joint = new JointWasserstein(0, LabelCost.LOGITS);
    double kappa = joint.plan(batch).kappa();
    assertThat(value(joint, batch) * kappa).isCloseTo(value(new EmpiricalWasserstein(), batch), within(1e-9));
  }

  @RepeatedTest(3)
  void sinkhornApproachesTheExactCostFromAboveAsEpsilonShrinks() {
    FeatureBatch batch = randomBatch();
    double exact = value(new EmpiricalWasserstein(), batch);
    double loose = value(new SinkhornWasserstein(0.1, 200), batch);
    double tight = value(new SinkhornWasserstein(0.005, 1000), batch);
    assertThat(tight).isLessThanOrEqualTo(loose);
    assertThat(tight).isGreaterThanOrEqualTo(exact * (1 - 1e-6));
    assertThat(tight).isCloseTo(exact, within(0.05 * exact));
  }

  @Test
  void sinkhornPlanHasUniformMarginals() {
    FeatureBatch batch = randomBatch();
    long n = batch.studentFeatures().getShape().get(0);
    NDArray plan = new SinkhornWasserstein(0.05, 300)
        .plan(Pairwise.squaredDistances(batch.studentFeatures(), batch.teacherFeatures()));
    for (double rowSum : plan.sum(new int[] {1}).toDoubleArray()) {
      assertThat(rowSum).isCloseTo(1.0 / n, within(1e-12));
    }
    for (double columnSum : plan.sum(new int[] {0}).toDoubleArray()) {
      assertThat(columnSum).isCloseTo(1.0 / n, within(1e-6 / n));
    }
  }

  @Test
  void linearMmdIsTheSquaredDistanceBetweenTheMeansAndPolynomialOfDegreeOneAgrees() {
    FeatureBatch batch = randomBatch();
    double linear = value(MaximumMeanDiscrepancy.linear(), batch);
    double polynomial = value(new MaximumMeanDiscrepancy(Kernel.POLYNOMIAL, 1, 0, Bandwidth.MEDIAN), batch);
    double[] s = batch.studentFeatures().mean(new int[] {0}).toDoubleArray();
    double[] t = batch.teacherFeatures().mean(new int[] {0}).toDoubleArray();
    double expected = IntStream.range(0, s.length).mapToDouble(i -> (s[i] - t[i]) * (s[i] - t[i])).sum();
    assertThat(linear).isCloseTo(expected, within(1e-12 * Math.max(1, expected)));
    assertThat(polynomial).isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
  }

  @Test
  void keepsFloat32InFloat32() {
    FeatureBatch batch = randomBatch();
    FeatureBatch single = new FeatureBatch(batch.studentFeatures().toType(DataType.FLOAT32, false),
        batch.teacherFeatures().toType(DataType.FLOAT32, false), batch.labels(),
        batch.studentLogits().toType(DataType.FLOAT32, false), batch.teacherLogits().toType(DataType.FLOAT32, false));
    for (DistanceKind kind : DistanceKind.values()) {
      NDArray value = kind.create(Map.of()).between(single);
      assertThat(value.getDataType()).as(kind.id()).isEqualTo(DataType.FLOAT32);
      assertThat(value.getShape()).as(kind.id()).isEqualTo(new Shape());
    }
    NDArray sinkhorn = DistanceKind.W2.create(Map.of("solver", "sinkhorn")).between(single);
    assertThat(sinkhorn.getDataType()).isEqualTo(DataType.FLOAT32);
  }

  private static MaximumMeanDiscrepancy[] allMmds() {
    return new MaximumMeanDiscrepancy[] {
      MaximumMeanDiscrepancy.linear(),
      new MaximumMeanDiscrepancy(Kernel.POLYNOMIAL, 2, 0, Bandwidth.MEDIAN),
      new MaximumMeanDiscrepancy(Kernel.POLYNOMIAL, 3, 1, Bandwidth.MEDIAN),
      new MaximumMeanDiscrepancy(Kernel.GAUSSIAN, 2, 0, Bandwidth.MEDIAN),
      new MaximumMeanDiscrepancy(Kernel.GAUSSIAN, 2, 0, Bandwidth.MEAN)
    };
  }

  /** n in [2, 40], d in [1, 24] (so n < d and n > d both occur), 2 to 6 classes, some absent. */
  private FeatureBatch randomBatch() {
    int n = 2 + random.nextInt(39);
    int d = 1 + random.nextInt(24);
    int k = 2 + random.nextInt(5);
    int[] labels = new int[n];
    double[][] means = new double[k][d];
    for (double[] mean : means) {
      Arrays.setAll(mean, i -> random.nextGaussian());
    }
    double[] s = new double[n * d];
    double[] t = new double[n * d];
    double[] ls = new double[n * k];
    double[] lt = new double[n * k];
    double scale = 0.5 + 2 * random.nextDouble();
    for (int i = 0; i < n; i++) {
      // Skewed class frequencies: the last classes are rare or missing.
      labels[i] = Math.min(k - 1, (int) Math.floor(-Math.log(random.nextDouble()) * 1.5));
      for (int j = 0; j < d; j++) {
        s[i * d + j] = means[labels[i]][j] + random.nextGaussian();
        t[i * d + j] = 1.3 * means[labels[i]][j] + scale * random.nextGaussian() + 0.2;
      }
      for (int c = 0; c < k; c++) {
        ls[i * k + c] = (c == labels[i] ? 2 : 0) + random.nextGaussian();
        lt[i * k + c] = (c == labels[i] ? 4 : 0) + 1.5 * random.nextGaussian();
      }
    }
    return new FeatureBatch(manager.create(s, new Shape(n, d)), manager.create(t, new Shape(n, d)),
        manager.create(labels), manager.create(ls, new Shape(n, k)), manager.create(lt, new Shape(n, k)));
  }

  private static double value(FeatureDistance distance, FeatureBatch batch) {
    return distance.between(batch).getDouble();
  }
}
