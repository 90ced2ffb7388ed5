package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.kddm.distances.ClassConditionalWasserstein.Weighting;
import com.kddm.distances.JointWasserstein.LabelCost;
import com.kddm.distances.MaximumMeanDiscrepancy.Bandwidth;
import com.kddm.distances.MaximumMeanDiscrepancy.Kernel;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Autograd gradients of every distance with respect to the student's features and logits, in
 * float64, against central finite differences.
 *
 * <p>Where a distance detaches part of its computation (an entropic plan, κ, the Gaussian σ²) the
 * finite differences hold that part fixed at its value for the unperturbed batch, since that is
 * the function whose gradient the distance gives; exact plans are locally constant on these
 * generic batches, so those distances are differentiated as they are.
 */
class DistanceGradientTest {

  private static final int N = 12;
  private static final int D = 5;
  private static final int K = 4;

  private NDManager manager;
  private double[] studentFeatures;
  private double[] studentLogits;
  private NDArray teacherFeatures;
  private NDArray teacherLogits;
  private NDArray labels;

  @BeforeEach
  void makeBatch() {
    manager = NDManager.newBaseManager();
    Random random = new Random(11);
    studentFeatures = gaussian(random, N * D, 1);
    studentLogits = gaussian(random, N * K, 2);
    teacherFeatures = manager.create(gaussian(random, N * D, 1.5), new Shape(N, D));
    teacherLogits = manager.create(gaussian(random, N * K, 3), new Shape(N, K));
    // Unbalanced, with a class of one sample: 0 ×5, 1 ×4, 2 ×2, 3 ×1.
    labels = manager.create(new int[] {0, 1, 0, 2, 1, 0, 3, 1, 0, 2, 1, 0});
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  @Test
  void sinkhornWassersteinGradientIsThatOfTheCostAgainstTheFixedPlan() {
    SinkhornWasserstein sinkhorn = new SinkhornWasserstein(0.05, 200);
    NDArray plan = sinkhorn.plan(Pairwise.squaredDistances(features(studentFeatures), teacherFeatures));
    check(sinkhorn::between, batch -> plan.mul(Pairwise.squaredDistances(batch.studentFeatures(), teacherFeatures)).sum());
  }

  @Test
  void exactWassersteinGradientMatchesFiniteDifferences() {
    check(new EmpiricalWasserstein());
  }

  @ParameterizedTest
  @EnumSource(Weighting.class)
  void classConditionalWassersteinGradientMatchesFiniteDifferences(Weighting weighting) {
    check(new ClassConditionalWasserstein(weighting));
  }

  @ParameterizedTest
  @EnumSource(LabelCost.class)
  void jointWassersteinGradientIsThatOfTheCostAgainstTheFixedPlanAndScale(LabelCost labelCost) {
    JointWasserstein joint = new JointWasserstein(0.7, labelCost);
    JointWasserstein.Plan plan = joint.plan(batch(features(studentFeatures), logits(studentLogits)));
    check(joint::between, batch -> joint.cost(batch, plan));
  }

  @ParameterizedTest
  @EnumSource(value = Kernel.class, names = {"LINEAR", "POLYNOMIAL"})
  void mmdGradientMatchesFiniteDifferences(Kernel kernel) {
    check(new MaximumMeanDiscrepancy(kernel, 3, 0.5, Bandwidth.MEDIAN));
  }

  @ParameterizedTest
  @EnumSource(Bandwidth.class)
  void gaussianMmdGradientIsThatOfTheKernelAtTheFixedBandwidth(Bandwidth bandwidth) {
    MaximumMeanDiscrepancy mmd = new MaximumMeanDiscrepancy(Kernel.GAUSSIAN, 2, 0, bandwidth);
    double sigmaSquared = mmd.sigmaSquared(features(studentFeatures), teacherFeatures);
    check(mmd::between, batch -> mmd.gaussian(batch.studentFeatures(), teacherFeatures, sigmaSquared));
  }

  @Test
  void hintonDistillationGradientMatchesFiniteDifferences() {
    check(new HintonDistillation(2.5));
  }

  @Test
  void pairedFeatureGapGradientMatchesFiniteDifferences() {
    check(new PairedFeatureGap());
  }

  private void check(FeatureDistance distance) {
    check(distance::between, distance::between);
  }

  /**
   * @param loss the distance, whose autograd gradient is checked
   * @param reference the function to difference numerically
   */
  private void check(Function<FeatureBatch, NDArray> loss, Function<FeatureBatch, NDArray> reference) {
    NDArray features = features(studentFeatures);
    NDArray logits = logits(studentLogits);
    features.setRequiresGradient(true);
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(loss.apply(batch(features, logits)));
    }
    // An input the distance does not read gets a gradient of zeros, in DJL's default float32.
    double[] featureGradient = Pairwise.hostDoubles(features.getGradient());
    double[] logitGradient = Pairwise.hostDoubles(logits.getGradient());
    double h = 1e-6;
    for (int k = 0; k < studentFeatures.length; k++) {
      double[] plus = studentFeatures.clone();
      double[] minus = studentFeatures.clone();
      plus[k] += h;
      minus[k] -= h;
      double numeric = (value(reference, plus, studentLogits) - value(reference, minus, studentLogits)) / (2 * h);
      assertThat(featureGradient[k]).as("d loss / d student feature [%d]", k)
          .isCloseTo(numeric, within(1e-6 * Math.max(1, Math.abs(numeric))));
    }
    for (int k = 0; k < studentLogits.length; k++) {
      double[] plus = studentLogits.clone();
      double[] minus = studentLogits.clone();
      plus[k] += h;
      minus[k] -= h;
      double numeric = (value(reference, studentFeatures, plus) - value(reference, studentFeatures, minus)) / (2 * h);
      assertThat(logitGradient[k]).as("d loss / d student logit [%d]", k)
          .isCloseTo(numeric, within(1e-6 * Math.max(1, Math.abs(numeric))));
    }
  }

  private double value(Function<FeatureBatch, NDArray> reference, double[] features, double[] logits) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray f = scope.create(features, new Shape(N, D));
      NDArray l = scope.create(logits, new Shape(N, K));
      return reference.apply(batch(f, l)).getDouble();
    }
  }

  private FeatureBatch batch(NDArray features, NDArray logits) {
    return new FeatureBatch(features, teacherFeatures, labels, logits, teacherLogits);
  }

  private NDArray features(double[] values) {
    return manager.create(values, new Shape(N, D));
  }

  private NDArray logits(double[] values) {
    return manager.create(values, new Shape(N, K));
  }

  private static double[] gaussian(Random random, int size, double scale) {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = scale * random.nextGaussian();
    }
    return out;
  }
}
