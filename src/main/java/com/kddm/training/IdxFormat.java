package com.kddm.training;

import com.kddm.architectures.InputShape;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: a magic number (two zero bytes, the element type,
 * the number of dimensions), the big-endian dimensions, then the unsigned bytes. Gzipped files are
 * recognised by their own magic number.
 */
public final class IdxFormat {

  private static final int UNSIGNED_BYTE = 0x08;
  /** Labels of sets with more than 256 classes: big-endian 32-bit integers, as the IDX format allows. */
  private static final int INT = 0x0C;
  private static final int MAX_CLASSES = 1000;

  private IdxFormat() {}

  /** Reads an image file: N × H × W (one channel) or N × C × H × W. */
  public static Images readImages(InputStream raw, String what) throws IOException {
    try {
      return readImages(open(raw), what);
    } catch (ZipException e) {
      throw new InvalidDataException(what + ": corrupt gzip stream (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Checks an image file without keeping its pixels (the answer's {@code pixels} is null): the
   * header, and that exactly the announced bytes follow. Memory stays flat whatever the file's
   * size, so an upload is validated in a small heap.
   */
  public static Images scanImages(InputStream raw, String what) throws IOException {
    try {
      DataInputStream in = open(raw);
      Images header = imageHeader(in, what);
      long bytes = (long) header.count() * header.shape().pixels();
      try {
        in.skipNBytes(bytes);
      } catch (EOFException e) {
        throw new InvalidDataException(what + ": truncated file, the header announces " + header.count() + " images of "
            + header.shape());
      }
      expectEnd(in, what);
      return header;
    } catch (ZipException e) {
      throw new InvalidDataException(what + ": corrupt gzip stream (" + e.getMessage() + ")", e);
    }
  }

  /** What a scan that measures found: the header, and the statistics of the images it counted. */
  public record Scan(Images images, Normalization statistics) {}

  /**
   * Scans an image file like {@link #scanImages(InputStream, String)}, one image at a time, and
   * measures the per-channel statistics of every image whose index is not marked in {@code
   * excluded} (null: none is).
   */
  public static Scan scanImages(InputStream raw, String what, boolean[] excluded) throws IOException {
    try {
      DataInputStream in = open(raw);
      Images header = imageHeader(in, what);
      Normalization.Accumulator statistics = new Normalization.Accumulator(header.shape());
      byte[] image = new byte[header.shape().pixels()];
      for (int i = 0; i < header.count(); i++) {
        readFully(in, image, what, "the header announces " + header.count() + " images of " + header.shape());
        if (excluded == null || i >= excluded.length || !excluded[i]) {
          statistics.add(image, 0, image.length);
        }
      }
      expectEnd(in, what);
      return new Scan(header, header.count() == 0 ? Normalization.NONE : statistics.result());
    } catch (ZipException e) {
      throw new InvalidDataException(what + ": corrupt gzip stream (" + e.getMessage() + ")", e);
    }
  }

  /** Writes the header of an image file of {@code count} images (N × C × H × W); the pixels follow. */
  public static void writeImagesHeader(java.io.OutputStream out, int count, InputShape shape) throws IOException {
    java.io.DataOutputStream data = new java.io.DataOutputStream(out);
    data.writeInt(0x00000804);
    data.writeInt(count);
    data.writeInt(shape.channels());
    data.writeInt(shape.height());
    data.writeInt(shape.width());
    data.flush();
  }

  /** Writes a label file: unsigned bytes when every label fits one (as MNIST's), else 32-bit integers. */
  public static void writeLabels(java.io.OutputStream out, int[] labels) throws IOException {
    boolean bytes = java.util.Arrays.stream(labels).allMatch(label -> label >= 0 && label <= 255);
    java.io.DataOutputStream data = new java.io.DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
    data.writeInt((bytes ? UNSIGNED_BYTE : INT) << 8 | 1);
    data.writeInt(labels.length);
    for (int label : labels) {
      if (label < 0 || label >= MAX_CLASSES) {
        throw new IllegalArgumentException("label " + label + " is not a class index 0.." + (MAX_CLASSES - 1));
      }
      if (bytes) {
        data.writeByte(label);
      } else {
        data.writeInt(label);
      }
    }
    data.flush();
  }

  private static Images imageHeader(DataInputStream in, String what) throws IOException {
    int dims = header(in, what, 3, 4);
    int n = dimension(in, what);
    int channels = dims == 4 ? dimension(in, what) : 1;
    int height = dimension(in, what);
    int width = dimension(in, what);
    try {
      return new Images(new InputShape(channels, height, width), null, n);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(what + ": " + e.getMessage());
    }
  }

  private static Images readImages(DataInputStream in, String what) throws IOException {
    int dims = header(in, what, 3, 4);
    int n = dimension(in, what);
    int channels = dims == 4 ? dimension(in, what) : 1;
    int height = dimension(in, what);
    int width = dimension(in, what);
    InputShape shape;
    try {
      shape = new InputShape(channels, height, width);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(what + ": " + e.getMessage());
    }
    long bytes = (long) n * shape.pixels();
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new InvalidDataException(what + ": " + n + " images of " + shape + " exceed 2 GiB");
    }
    byte[] pixels = new byte[(int) bytes];
    readFully(in, pixels, what, "the header announces " + n + " images of " + shape);
    expectEnd(in, what);
    return new Images(shape, pixels, n);
  }

  /** Reads a label file: N unsigned bytes. */
  public static int[] readLabels(InputStream raw, String what) throws IOException {
    try {
      return readLabels(open(raw), what);
    } catch (ZipException e) {
      throw new InvalidDataException(what + ": corrupt gzip stream (" + e.getMessage() + ")", e);
    }
  }

  private static int[] readLabels(DataInputStream in, String what) throws IOException {
    int type = header(in, what, 1, 1, true).type();
    int n = dimension(in, what);
    int width = type == INT ? 4 : 1;
    byte[] bytes = new byte[Math.multiplyExact(n, width)];
    readFully(in, bytes, what, "the header announces " + n + " labels");
    expectEnd(in, what);
    java.nio.ByteBuffer values = java.nio.ByteBuffer.wrap(bytes); // big-endian, as IDX
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = width == 4 ? values.getInt() : bytes[i] & 0xFF;
      if (labels[i] < 0 || labels[i] >= MAX_CLASSES) {
        throw new InvalidDataException(what + ": label " + labels[i] + " at index " + i + " is out of range");
      }
    }
    return labels;
  }

  /** Pairs images with labels, refusing sets that cannot train a classifier. */
  public static LabelledImages pair(Images images, int[] labels, String what) {
    if (images.count() != labels.length) {
      throw new InvalidDataException(
          what + ": " + images.count() + " images but " + labels.length + " labels");
    }
    if (labels.length == 0) {
      throw new InvalidDataException(what + ": no samples");
    }
    return new LabelledImages(images.shape(), images.pixels(), labels);
  }

  /** Pixels of an image file before they are paired with labels; null pixels after a {@link #scanImages scan}. */
  public record Images(InputShape shape, byte[] pixels, int count) {}

  private static DataInputStream open(InputStream raw) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream body = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16) : buffered;
    return new DataInputStream(body);
  }

  private static int header(DataInputStream in, String what, int minDims, int maxDims) throws IOException {
    return header(in, what, minDims, maxDims, false).dims();
  }

  /** The magic number: element type (unsigned bytes, or 32-bit integers where allowed) and dimensions. */
  private record Magic(int type, int dims) {}

  private static Magic header(DataInputStream in, String what, int minDims, int maxDims, boolean integersAllowed)
      throws IOException {
    byte[] magic = new byte[4];
    readFully(in, magic, what, "an IDX file starts with a 4-byte magic number");
    if (magic[0] != 0 || magic[1] != 0) {
      throw new InvalidDataException(what + ": not an IDX file (bad magic number)");
    }
    if (magic[2] != UNSIGNED_BYTE && !(integersAllowed && magic[2] == INT)) {
      throw new InvalidDataException(what + ": element type 0x" + Integer.toHexString(magic[2] & 0xFF)
          + " is not supported, expected unsigned bytes (0x08)" + (integersAllowed ? " or 32-bit integers (0x0c)" : ""));
    }
    int dims = magic[3];
    if (dims < minDims || dims > maxDims) {
      throw new InvalidDataException(
          what + ": " + dims + " dimensions, expected " + (minDims == maxDims ? minDims : minDims + " or " + maxDims));
    }
    return new Magic(magic[2], dims);
  }

  private static int dimension(DataInputStream in, String what) throws IOException {
    try {
      int d = in.readInt();
      if (d < 0) {
        throw new InvalidDataException(what + ": negative dimension " + d);
      }
      return d;
    } catch (EOFException e) {
      throw new InvalidDataException(what + ": truncated header");
    }
  }

  private static void readFully(DataInputStream in, byte[] into, String what, String expectation) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new InvalidDataException(what + ": truncated file, " + expectation);
    }
  }

  private static void expectEnd(DataInputStream in, String what) throws IOException {
    if (in.read() != -1) {
      throw new InvalidDataException(what + ": trailing bytes after the announced data");
    }
  }
}
