package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.kddm.architectures.InputShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizationTest {

  private static final InputShape RGB = new InputShape(3, 4, 5);

  private static LabelledImages randomImages(InputShape shape, int n, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[n * shape.pixels()];
    for (int i = 0; i < pixels.length; i++) {
      int channel = (i % shape.pixels()) / (shape.height() * shape.width());
      // Each channel has its own level, so that a mix-up of channels shows.
      pixels[i] = (byte) Math.min(255, 40 * channel + random.nextInt(120));
    }
    return new LabelledImages(shape, pixels, new int[n]);
  }

  @Test
  void statisticsArePerChannelMeansAndPopulationStandardDeviationsInUnitsOfPixelOver255() {
    LabelledImages images = randomImages(RGB, 17, 1);
    Normalization stats = Normalization.of(images);
    int plane = RGB.height() * RGB.width();
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      double sumOfSquares = 0;
      int count = 0;
      for (int i = 0; i < images.size(); i++) {
        for (int p = 0; p < plane; p++) {
          double v = (images.pixels()[i * RGB.pixels() + c * plane + p] & 0xFF) / 255.0;
          sum += v;
          sumOfSquares += v * v;
          count++;
        }
      }
      double mean = sum / count;
      assertThat((double) stats.mean()[c]).isCloseTo(mean, within(1e-6));
      assertThat((double) stats.std()[c]).isCloseTo(Math.sqrt(sumOfSquares / count - mean * mean), within(1e-6));
    }
    assertThat(stats.mean()[2]).isGreaterThan(stats.mean()[1]).isGreaterThan(stats.mean()[0]);
  }

  @Test
  void chunksOfAnySizeGiveTheSameStatisticsAsOnePass() {
    LabelledImages images = randomImages(RGB, 9, 2);
    Normalization.Accumulator accumulator = new Normalization.Accumulator(RGB);
    byte[] pixels = images.pixels();
    Random random = new Random(3);
    for (int from = 0; from < pixels.length; ) {
      int length = Math.min(pixels.length - from, 1 + random.nextInt(37));
      accumulator.add(pixels, from, length);
      from += length;
    }
    assertThat(accumulator.result()).isEqualTo(Normalization.of(images));
  }

  @Test
  void aConstantChannelIsCentredNotBlownUp() {
    byte[] pixels = new byte[2 * 4];
    java.util.Arrays.fill(pixels, (byte) 51);
    Normalization stats = Normalization.of(new LabelledImages(new InputShape(1, 2, 2), pixels, new int[2]));
    assertThat(stats.mean()).containsExactly(0.2f);
    assertThat(stats.std()).containsExactly(1f);
  }

  @Test
  void partialImagesHaveNoStatistics() {
    Normalization.Accumulator accumulator = new Normalization.Accumulator(RGB);
    accumulator.add(new byte[RGB.pixels() + 1], 0, RGB.pixels() + 1);
    assertThatThrownBy(accumulator::result).hasMessageContaining("whole images");
  }

  @Test
  void floatAndTensorFormsNormaliseAlike() {
    Normalization n = new Normalization(new float[] {0.1f, 0.5f, 0.9f}, new float[] {0.2f, 0.25f, 0.5f});
    float[] scaled = randomImages(RGB, 2, 4).scaledPixels(new int[] {0, 1}, 0, 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray tensor = n.applyTo(manager.create(scaled.clone(), RGB.batchOf(2)));
      float[] expected = n.applyTo(scaled.clone(), RGB);
      assertThat(tensor.toFloatArray()).containsExactly(expected, within(1e-6f));
      // Channel 1 of the second image, pixel 0: (x - 0.5) / 0.25.
      int index = RGB.pixels() + RGB.height() * RGB.width();
      assertThat(expected[index]).isCloseTo((scaled[index] - 0.5f) / 0.25f, within(1e-6f));
    }
  }

  @Test
  void noneLeavesImagesAsTheyAre() {
    float[] scaled = {0.25f, 0.5f};
    assertThat(Normalization.NONE.applyTo(scaled, new InputShape(1, 1, 2))).containsExactly(0.25f, 0.5f);
    assertThat(Normalization.of((java.util.List<Float>) null, null)).isEqualTo(Normalization.NONE);
  }

  @Test
  void refusesStatisticsThatCannotNormalise() {
    assertThatThrownBy(() -> new Normalization(new float[] {0.5f}, new float[] {0f})).hasMessageContaining("positive");
    assertThatThrownBy(() -> new Normalization(new float[] {Float.NaN}, new float[] {1f})).hasMessageContaining("finite");
    assertThatThrownBy(() -> new Normalization(new float[] {0.5f, 0.5f}, new float[] {1f}))
        .hasMessageContaining("2 means but 1");
    assertThatThrownBy(() -> new Normalization(new float[] {0.5f}, new float[] {1f}).requireChannels(3, "the teacher"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("1 channels but the images have 3");
  }
}
