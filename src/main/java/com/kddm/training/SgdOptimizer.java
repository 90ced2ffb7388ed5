package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.training.tracker.Tracker;
import java.util.List;

/**
 * Stochastic gradient descent with momentum in {@code torch.optim.SGD}'s convention (no dampening,
 * not Nesterov): with {@code g} the gradient plus {@code weightDecay·w}, {@code buf = momentum·buf + g}
 * and {@code w −= lr·buf}. DJL's own SGD is MXNet's ({@code v = m·v + lr·g}), which differs whenever
 * the rate changes. With momentum 0 there is no buffer and the update is {@code w −= lr·g}. Its
 * state can be saved and restored; see {@link ResumableOptimizer}.
 */
public final class SgdOptimizer extends ResumableOptimizer {

  private final float momentum;

  public SgdOptimizer(Tracker learningRate, float momentum, float weightDecay) {
    super(learningRate, weightDecay);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must lie in [0, 1)");
    }
    this.momentum = momentum;
  }

  @Override
  public String kind() {
    return momentum == 0f ? "sgd" : "sgd-momentum";
  }

  @Override
  protected List<String> bufferNames() {
    return momentum == 0f ? List.of() : List.of("momentum_buffer");
  }

  @Override
  protected void apply(NDArray weight, NDArray gradient, NDArray[] buffers, float rate, int t) {
    NDArray direction = gradient;
    if (momentum != 0f) {
      // From zeros, the first update leaves buf = g, as torch's clone of the first gradient does.
      direction = buffers[0].muli(momentum).addi(gradient);
    }
    try (NDArray change = direction.mul(rate)) {
      weight.subi(change);
    }
  }
}
