package com.kddm.training;

import com.kddm.architectures.InputShape;
import java.util.Random;

/**
 * Random crop after zero padding, and horizontal flip, applied to a batch in place. Shifting the
 * image by (dy, dx) within ±padding is the same as padding it and cropping at a random corner.
 */
final class Augmentation {

  private Augmentation() {}

  static void apply(float[] batch, int count, InputShape shape, TrainingSettings settings, Random random) {
    if (!settings.crops() && !settings.flips()) {
      return;
    }
    int h = shape.height();
    int w = shape.width();
    int plane = h * w;
    float[] source = new float[shape.pixels()];
    for (int i = 0; i < count; i++) {
      int pad = settings.crops() ? settings.cropPadding() : 0;
      int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      boolean flip = settings.flips() && random.nextBoolean();
      int offset = i * shape.pixels();
      System.arraycopy(batch, offset, source, 0, source.length);
      for (int c = 0; c < shape.channels(); c++) {
        for (int y = 0; y < h; y++) {
          int sy = y + dy;
          for (int x = 0; x < w; x++) {
            int sx = (flip ? w - 1 - x : x) + dx;
            boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
            batch[offset + c * plane + y * w + x] = inside ? source[c * plane + sy * w + sx] : 0f;
          }
        }
      }
    }
  }
}
