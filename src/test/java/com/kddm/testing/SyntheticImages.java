package com.kddm.testing;

import com.kddm.architectures.InputShape;
import com.kddm.training.LabelledImages;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Small learnable image sets: each class has its own pattern of bright squares; samples are the
 * pattern with noise and a random shift, so a network must learn something but learns it fast.
 */
public final class SyntheticImages {

  private SyntheticImages() {}

  public static LabelledImages generate(int n, int classes, int size, long seed) {
    Random random = new Random(seed);
    Random patterns = new Random(42);
    boolean[][] prototypes = new boolean[classes][size * size];
    for (int c = 0; c < classes; c++) {
      for (int square = 0; square < 3; square++) {
        int top = patterns.nextInt(size - 6);
        int left = patterns.nextInt(size - 6);
        for (int y = top; y < top + 6; y++) {
          for (int x = left; x < left + 6; x++) {
            prototypes[c][y * size + x] = true;
          }
        }
      }
    }
    byte[] pixels = new byte[n * size * size];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int label = i % classes;
      labels[i] = label;
      int dy = random.nextInt(3) - 1;
      int dx = random.nextInt(3) - 1;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int sy = Math.floorMod(y + dy, size);
          int sx = Math.floorMod(x + dx, size);
          double value = (prototypes[label][sy * size + sx] ? 170 : 20) + random.nextGaussian() * 40;
          pixels[i * size * size + y * size + x] = (byte) Math.max(0, Math.min(255, (int) value));
        }
      }
    }
    return new LabelledImages(new InputShape(1, size, size), pixels, labels);
  }

  public static byte[] imagesIdx(LabelledImages images, boolean gzip) {
    return write(gzip, out -> {
      out.writeInt(0x00000803);
      out.writeInt(images.size());
      out.writeInt(images.shape().height());
      out.writeInt(images.shape().width());
      out.write(images.pixels());
    });
  }

  public static byte[] labelsIdx(LabelledImages images, boolean gzip) {
    return write(gzip, out -> {
      out.writeInt(0x00000801);
      out.writeInt(images.size());
      for (int label : images.labels()) {
        out.writeByte(label);
      }
    });
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(boolean gzip, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      if (gzip) {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
          body.write(out);
        }
      } else {
        try (DataOutputStream out = new DataOutputStream(bytes)) {
          body.write(out);
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
