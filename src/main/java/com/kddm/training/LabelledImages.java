package com.kddm.training;

import com.kddm.architectures.InputShape;
import java.util.Arrays;

/**
 * Images as unsigned bytes, channels first, with one integer label each. Bytes keep a
 * Fashion-MNIST-sized set at 47 MB; batches are scaled to [0, 1] floats only when drawn.
 */
public record LabelledImages(InputShape shape, byte[] pixels, int[] labels) {

  public LabelledImages {
    if ((long) labels.length * shape.pixels() != pixels.length) {
      throw new IllegalArgumentException(
          labels.length + " labels do not fit " + pixels.length + " bytes of " + shape + " images");
    }
  }

  public int size() {
    return labels.length;
  }

  /** Number of classes implied by the largest label. */
  public int classCount() {
    return Arrays.stream(labels).max().orElse(-1) + 1;
  }

  public LabelledImages subset(int[] indices) {
    int pixelsPerImage = shape.pixels();
    byte[] chosen = new byte[indices.length * pixelsPerImage];
    int[] chosenLabels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(pixels, indices[i] * pixelsPerImage, chosen, i * pixelsPerImage, pixelsPerImage);
      chosenLabels[i] = labels[indices[i]];
    }
    return new LabelledImages(shape, chosen, chosenLabels);
  }

  /** Images {@code order[from..to)} scaled to [0, 1], flattened channels first. */
  public float[] scaledPixels(int[] order, int from, int to) {
    int pixelsPerImage = shape.pixels();
    float[] out = new float[(to - from) * pixelsPerImage];
    for (int i = from; i < to; i++) {
      int base = order[i] * pixelsPerImage;
      int dst = (i - from) * pixelsPerImage;
      for (int p = 0; p < pixelsPerImage; p++) {
        out[dst + p] = (pixels[base + p] & 0xFF) / 255f;
      }
    }
    return out;
  }

  public int[] labels(int[] order, int from, int to) {
    int[] out = new int[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = labels[order[i]];
    }
    return out;
  }
}
