package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.architectures.InputShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationTest {

  private static final InputShape SHAPE = new InputShape(2, 5, 6);

  private static TrainingSettings with(String augmentation, int padding) {
    return new TrainingSettings(1, 2, 0.01f, "adam", 0.9f, 0f, "constant", 0.01f, 1, 1f, augmentation, padding, 1, 0.1);
  }

  private static float[] ramp(int count) {
    float[] batch = new float[count * SHAPE.pixels()];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = i + 1;
    }
    return batch;
  }

  @Test
  void noAugmentationLeavesTheBatchAlone() {
    float[] batch = ramp(3);
    Augmentation.apply(batch, 3, SHAPE, with("none", 4), new Random(1));
    assertThat(batch).containsExactly(ramp(3));
  }

  @Test
  void aFlipMirrorsEveryRowOfEveryChannelOrLeavesTheImage() {
    float[] original = ramp(8);
    float[] batch = original.clone();
    Augmentation.apply(batch, 8, SHAPE, with("flip", 0), new Random(3));
    int flipped = 0;
    for (int i = 0; i < 8; i++) {
      boolean same = true;
      boolean mirrored = true;
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < 5; y++) {
          for (int x = 0; x < 6; x++) {
            float value = batch[i * 60 + c * 30 + y * 6 + x];
            same &= value == original[i * 60 + c * 30 + y * 6 + x];
            mirrored &= value == original[i * 60 + c * 30 + y * 6 + (5 - x)];
          }
        }
      }
      assertThat(same || mirrored).isTrue();
      flipped += mirrored ? 1 : 0;
    }
    assertThat(flipped).isBetween(1, 7);
  }

  @Test
  void aCropShiftsTheImageAndFillsTheBorderWithZeros() {
    float[] original = ramp(20);
    float[] batch = original.clone();
    Augmentation.apply(batch, 20, SHAPE, with("crop", 2), new Random(5));
    for (int i = 0; i < 20; i++) {
      boolean matchedSomeShift = false;
      for (int dy = -2; dy <= 2 && !matchedSomeShift; dy++) {
        for (int dx = -2; dx <= 2 && !matchedSomeShift; dx++) {
          boolean ok = true;
          for (int c = 0; c < 2 && ok; c++) {
            for (int y = 0; y < 5 && ok; y++) {
              for (int x = 0; x < 6 && ok; x++) {
                int sy = y + dy;
                int sx = x + dx;
                float expected = sy >= 0 && sy < 5 && sx >= 0 && sx < 6 ? original[i * 60 + c * 30 + sy * 6 + sx] : 0f;
                ok = batch[i * 60 + c * 30 + y * 6 + x] == expected;
              }
            }
          }
          matchedSomeShift = ok;
        }
      }
      assertThat(matchedSomeShift).as("sample %d is a shifted copy", i).isTrue();
    }
  }
}
