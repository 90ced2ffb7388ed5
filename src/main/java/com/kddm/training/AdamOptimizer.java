package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.training.tracker.Tracker;
import java.util.List;

/**
 * Adam as {@code torch.optim.Adam} computes it (amsgrad off): with {@code g} the gradient plus
 * {@code weightDecay·w}, {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²}, then
 * {@code w −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε)}. Its state (the two moments and the update count
 * of every parameter) can be saved and restored; see {@link ResumableOptimizer}.
 */
public final class AdamOptimizer extends ResumableOptimizer {

  public static final float BETA1 = 0.9f;
  public static final float BETA2 = 0.999f;
  public static final float EPSILON = 1e-8f;

  // The decimal values the floats were written as, so that 1 − β and β^t are computed as torch
  // computes them from Python floats.
  private final double beta1;
  private final double beta2;
  private final float epsilon;

  /** torch's defaults: β1 0.9, β2 0.999, ε 1e-8. */
  public AdamOptimizer(Tracker learningRate, float weightDecay) {
    this(learningRate, weightDecay, BETA1, BETA2, EPSILON);
  }

  public AdamOptimizer(Tracker learningRate, float weightDecay, float beta1, float beta2, float epsilon) {
    super(learningRate, weightDecay);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("Adam needs 0 <= beta1, beta2 < 1 and epsilon > 0");
    }
    this.beta1 = Double.parseDouble(Float.toString(beta1));
    this.beta2 = Double.parseDouble(Float.toString(beta2));
    this.epsilon = epsilon;
  }

  @Override
  public String kind() {
    return "adam";
  }

  @Override
  protected List<String> bufferNames() {
    return List.of("exp_avg", "exp_avg_sq");
  }

  @Override
  protected void apply(NDArray weight, NDArray gradient, NDArray[] buffers, float rate, int t) {
    NDArray mean = buffers[0];
    NDArray variance = buffers[1];
    // The bias corrections in double, as torch computes them in Python floats.
    double correction1 = 1 - Math.pow(beta1, t);
    double correction2 = Math.sqrt(1 - Math.pow(beta2, t));
    float stepSize = (float) (rate / correction1);
    try (NDArray scaledGradient = gradient.mul((float) (1 - beta1))) {
      mean.muli((float) beta1).addi(scaledGradient);
    }
    try (NDArray square = gradient.square()) {
      variance.muli((float) beta2).addi(square.muli((float) (1 - beta2)));
    }
    try (NDArray denominator = variance.sqrt();
        NDArray change = mean.div(denominator.divi((float) correction2).addi(epsilon))) {
      weight.subi(change.muli(stepSize));
    }
  }
}
