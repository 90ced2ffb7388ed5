package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.kddm.architectures.InputShape;
import java.util.Arrays;
import java.util.List;

/**
 * Per-channel input statistics: a network sees {@code (pixel / 255 - mean[c]) / std[c]}. The
 * statistics of a dataset are those of its training part, accumulated as its images stream past,
 * so that a dataset of any size is measured without holding it in memory.
 */
public record Normalization(float[] mean, float[] std) {

  /** Pixels scaled to [0, 1] and nothing more: what every network saw before normalisation existed. */
  public static final Normalization NONE = new Normalization(new float[0], new float[0]);

  public Normalization {
    if (mean.length != std.length) {
      throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
    }
    for (int c = 0; c < mean.length; c++) {
      if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException("channel " + c + ": mean " + mean[c] + " and std " + std[c]
            + " do not normalise (the mean must be finite, the standard deviation finite and positive)");
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  public static Normalization of(List<? extends Number> mean, List<? extends Number> std) {
    if (mean == null && std == null) {
      return NONE;
    }
    if (mean == null || std == null) {
      throw new IllegalArgumentException("a mean and a standard deviation go together");
    }
    return new Normalization(floats(mean), floats(std));
  }

  /** Values as {@code 0.286,0.353}: how a database column or file metadata holds them. */
  public static String join(float[] values) {
    StringBuilder out = new StringBuilder();
    for (float v : values) {
      out.append(out.isEmpty() ? "" : ",").append(v);
    }
    return out.toString();
  }

  /** Reads what {@link #join} wrote; null for null. */
  public static List<Float> split(String values) {
    return values == null ? null : Arrays.stream(values.split(",")).map(String::strip).map(Float::valueOf).toList();
  }

  /** The statistics of a set of images held in memory. */
  public static Normalization of(LabelledImages images) {
    Accumulator accumulator = new Accumulator(images.shape());
    accumulator.add(images.pixels(), 0, images.pixels().length);
    return accumulator.result();
  }

  public boolean isNone() {
    return mean.length == 0;
  }

  public List<Float> meanList() {
    return list(mean);
  }

  public List<Float> stdList() {
    return list(std);
  }

  /** Refuses statistics made for another number of channels. */
  public Normalization requireChannels(int channels, String what) {
    if (!isNone() && mean.length != channels) {
      throw new InvalidDataException(
          what + " has statistics for " + mean.length + " channels but the images have " + channels);
    }
    return this;
  }

  /** Normalises, in place, images already scaled to [0, 1] and laid out channels first. */
  public float[] applyTo(float[] scaled, InputShape shape) {
    if (isNone()) {
      return scaled;
    }
    requireChannels(shape.channels(), "the normalisation");
    int plane = shape.height() * shape.width();
    for (int start = 0; start < scaled.length; start += shape.pixels()) {
      for (int c = 0; c < mean.length; c++) {
        float m = mean[c];
        float s = std[c];
        int from = start + c * plane;
        for (int p = from; p < from + plane; p++) {
          scaled[p] = (scaled[p] - m) / s;
        }
      }
    }
    return scaled;
  }

  /** Normalises a batch of images scaled to [0, 1], shaped (N, C, H, W); returns a new array. */
  public NDArray applyTo(NDArray scaled) {
    if (isNone()) {
      return scaled;
    }
    requireChannels((int) scaled.getShape().get(1), "the normalisation");
    NDManager manager = scaled.getManager();
    Shape perChannel = new Shape(1, mean.length, 1, 1);
    NDArray m = manager.create(mean, perChannel).toDevice(scaled.getDevice(), false);
    NDArray s = manager.create(std, perChannel).toDevice(scaled.getDevice(), false);
    return scaled.sub(m).div(s);
  }

  /** How a network's inputs are prepared, in words, for archive manifests and users. */
  public String describe() {
    return isNone()
        ? "float32 = uint8 pixel / 255, channels first (N, C, H, W)"
        : "float32 = (uint8 pixel / 255 - mean[c]) / std[c], channels first (N, C, H, W); mean " + Arrays.toString(mean)
            + ", std " + Arrays.toString(std);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return isNone() ? "none" : "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
  }

  private static float[] floats(List<? extends Number> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).floatValue();
    }
    return out;
  }

  private static List<Float> list(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return List.of(boxed);
  }

  /**
   * Sums of pixels and of their squares per channel, fed with unsigned bytes laid out channels
   * first, image after image, in chunks of any size.
   */
  public static final class Accumulator {
    private final int channels;
    private final int plane;
    private final long[] sum;
    private final long[] sumOfSquares;
    private long offset;
    private int channel;
    private int inPlane;

    public Accumulator(InputShape shape) {
      this.channels = shape.channels();
      this.plane = shape.height() * shape.width();
      this.sum = new long[channels];
      this.sumOfSquares = new long[channels];
    }

    public void add(byte[] pixels, int from, int length) {
      for (int i = from; i < from + length; i++) {
        int value = pixels[i] & 0xFF;
        sum[channel] += value;
        sumOfSquares[channel] += value * value;
        if (++inPlane == plane) {
          inPlane = 0;
          channel = channel + 1 == channels ? 0 : channel + 1;
        }
      }
      offset += length;
    }

    /**
     * Population mean and standard deviation in [0, 1] units; a constant channel gets a standard
     * deviation of 1, so that it is centred rather than blown up.
     */
    public Normalization result() {
      long perChannel = offset / channels;
      if (perChannel == 0 || offset % (channels * (long) plane) != 0) {
        throw new IllegalStateException("statistics need whole images, got " + offset + " pixels");
      }
      float[] mean = new float[channels];
      float[] std = new float[channels];
      for (int c = 0; c < channels; c++) {
        double m = sum[c] / (double) perChannel;
        double variance = Math.max(0, sumOfSquares[c] / (double) perChannel - m * m);
        mean[c] = (float) (m / 255);
        std[c] = variance < 1e-6 ? 1f : (float) (Math.sqrt(variance) / 255);
      }
      return new Normalization(mean, std);
    }
  }
}
