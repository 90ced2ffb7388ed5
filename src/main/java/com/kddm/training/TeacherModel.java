package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.util.stream.IntStream;

/**
 * A frozen network that answers features and logits for a batch: a catalog network trained here,
 * or a model brought from PyTorch.
 */
public interface TeacherModel extends AutoCloseable {

  /**
   * Forward pass in inference mode on images scaled to [0, 1]; the model normalises them as it
   * expects. Outputs are attached to the input's manager.
   */
  NetworkOutput infer(NDArray images);

  /** The per-channel normalisation {@link #infer} applies to its [0, 1] inputs. */
  Normalization inputNormalization();

  /** Whether {@link #headLogits} can apply this model's classifier head to other features. */
  boolean hasHead();

  /** The head applied to features of {@link #featureSize()} dimensions. */
  NDArray headLogits(NDArray features);

  InputShape inputShape();

  int classes();

  int featureSize();

  /** Where batches that this model runs on are allocated. */
  NDManager manager();

  @Override
  void close();

  /** Accuracy and cross-entropy on {@code data}, in batches. */
  default Evaluation evaluate(LabelledImages data, String split, int batchSize) {
    int n = data.size();
    int[] order = IntStream.range(0, n).toArray();
    int correct = 0;
    double crossEntropy = 0;
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      try (NDManager batch = manager().newSubManager()) {
        NDArray x = batch.create(data.scaledPixels(order, from, to), inputShape().batchOf(to - from));
        NDArray y = batch.create(data.labels(order, from, to));
        NDArray logits = infer(x).logits();
        correct += (int) logits.argMax(1).toType(DataType.INT32, false).eq(y).sum().getLong();
        crossEntropy += Objectives.crossEntropy(logits, y, classes()).getFloat() * (to - from);
      }
    }
    return new Evaluation(split, n, correct, n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : crossEntropy / n);
  }
}
