package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import java.util.Objects;

/**
 * Joint empirical W2 over features and predicted labels (JW2): exact optimal transport with cost
 *
 * <pre>  C_ij = ‖zS_i − zT_j‖² / κ + β · d_Y(ŷS_i, ŷT_j)</pre>
 *
 * where κ is the largest feature cost in the batch (detached; 1 when every feature pair
 * coincides). This is the intended form of the method: teacher features enter the feature term
 * (the public reference code compares the student's features with themselves there).
 *
 * <p>d_Y, the {@link LabelCost}: squared Euclidean between logits, squared Euclidean between
 * softmax probabilities, or the cross-entropy −Σ_k softmax(ŷT_j)_k log softmax(ŷS_i)_k. The
 * plan and κ are computed without gradient, in double precision on the JVM; the loss is Σ π*·C,
 * differentiable with respect to the student's features and logits.
 */
public final class JointWasserstein implements FeatureDistance {

  /** The label term d_Y. */
  public enum LabelCost {
    LOGITS("logits"),
    PROBABILITIES("probabilities"),
    CROSS_ENTROPY("cross-entropy");

    private final String id;

    LabelCost(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    static LabelCost named(String id) {
      for (LabelCost c : values()) {
        if (c.id.equals(id.toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown label cost '" + id + "'");
    }
  }

  /** The detached part of the loss: row i of the student goes to row match[i] of the teacher. */
  record Plan(int[] match, double kappa) {}

  private final double beta;
  private final LabelCost labelCost;

  /**
   * @param beta weight of the label term, ≥ 0
   */
  public JointWasserstein(double beta, LabelCost labelCost) {
    if (!(beta >= 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be a non-negative number, got " + beta);
    }
    this.beta = beta;
    this.labelCost = Objects.requireNonNull(labelCost);
  }

  @Override
  public NDArray between(FeatureBatch batch) {
    return cost(batch, plan(batch));
  }

  /** The optimal plan for the batch's joint cost, and κ. */
  Plan plan(FeatureBatch batch) {
    Pairwise.requireSameShape("features", batch.studentFeatures(), batch.teacherFeatures());
    Pairwise.requireSameShape("logits", batch.studentLogits(), batch.teacherLogits());
    int n = (int) batch.studentFeatures().getShape().get(0);
    int d = (int) batch.studentFeatures().getShape().get(1);
    int k = (int) batch.studentLogits().getShape().get(1);
    if (batch.studentLogits().getShape().get(0) != n) {
      throw new IllegalArgumentException("got logits for " + batch.studentLogits().getShape().get(0)
          + " samples and features for " + n);
    }
    double[][] cost = EmpiricalWasserstein.squaredDistances(
        Pairwise.hostDoubles(batch.studentFeatures()), Pairwise.hostDoubles(batch.teacherFeatures()), n, d);
    double largest = 0;
    for (double[] row : cost) {
      for (double c : row) {
        largest = Math.max(largest, c);
      }
    }
    double kappa = largest > 0 ? largest : 1;
    double[][] label = hostLabelCost(
        Pairwise.hostDoubles(batch.studentLogits()), Pairwise.hostDoubles(batch.teacherLogits()), n, k);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cost[i][j] = cost[i][j] / kappa + beta * label[i][j];
      }
    }
    return new Plan(LinearAssignment.solve(cost), kappa);
  }

  /** Σ π·C for a given plan, with gradient through the cost. */
  NDArray cost(FeatureBatch batch, Plan plan) {
    NDArray studentLogits = batch.studentLogits();
    NDArray matchedTeacherLogits = batch.teacherLogits().get(studentLogits.getManager().create(plan.match()));
    NDArray label =
        switch (labelCost) {
          case LOGITS -> studentLogits.sub(matchedTeacherLogits).square().sum(new int[] {1});
          case PROBABILITIES ->
              studentLogits.softmax(1).sub(matchedTeacherLogits.softmax(1)).square().sum(new int[] {1});
          case CROSS_ENTROPY ->
              matchedTeacherLogits.softmax(1).mul(studentLogits.logSoftmax(1)).sum(new int[] {1}).neg();
        };
    NDArray feature = Pairwise.matchedSquaredDistances(batch.studentFeatures(), batch.teacherFeatures(), plan.match());
    return feature.div(plan.kappa()).add(label.mul(beta)).mean();
  }

  /** d_Y(ŷS_i, ŷT_j) for every pair, n × n, in double precision. */
  private double[][] hostLabelCost(double[] student, double[] teacher, int n, int k) {
    double[] s = student;
    double[] t = teacher;
    if (labelCost == LabelCost.PROBABILITIES) {
      s = softmaxRows(student, n, k, false);
      t = softmaxRows(teacher, n, k, false);
    } else if (labelCost == LabelCost.CROSS_ENTROPY) {
      s = softmaxRows(student, n, k, true);
      t = softmaxRows(teacher, n, k, false);
    }
    if (labelCost != LabelCost.CROSS_ENTROPY) {
      return EmpiricalWasserstein.squaredDistances(s, t, n, k);
    }
    double[][] out = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int c = 0; c < k; c++) {
          sum -= t[j * k + c] * s[i * k + c];
        }
        out[i][j] = sum;
      }
    }
    return out;
  }

  /** Row-wise softmax (or log-softmax) of an n × k row-major matrix. */
  static double[] softmaxRows(double[] logits, int n, int k, boolean log) {
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, logits[i * k + c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        sum += Math.exp(logits[i * k + c] - max);
      }
      double logSum = max + Math.log(sum);
      for (int c = 0; c < k; c++) {
        double logP = logits[i * k + c] - logSum;
        out[i * k + c] = log ? logP : Math.exp(logP);
      }
    }
    return out;
  }

  double beta() {
    return beta;
  }

  LabelCost labelCost() {
    return labelCost;
  }
}
