package com.kddm.training;

import com.kddm.architectures.InputShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a NumPy {@code .npz} dataset (what {@code np.savez} or {@code np.savez_compressed} write: a
 * ZIP of {@code .npy} files) without an engine. Arrays: {@code x} and {@code y}, optionally
 * {@code x_test} and {@code y_test}; no others.
 *
 * <ul>
 *   <li>{@code x}: uint8 or float32, N×H×W (one channel), N×C×H×W, or N×H×W×C. A 4-D array is read
 *       channels-last when its last dimension is 1, 3 or 4 and its second is not; otherwise
 *       channels-first.
 *   <li>float32 pixels must lie in [0, 1]; they are scaled by 255 and rounded to bytes. NaN and
 *       infinities are refused.
 *   <li>{@code y}: int64, int32 or uint8, one label per image, each in 0..999.
 * </ul>
 *
 * Only little-endian, C-ordered arrays of format version 1, 2 or 3 are read. Every refusal is an
 * {@link InvalidDataException} that names the array and the reason.
 */
public final class NpzFormat {

  private static final int MAX_CLASSES = 1000;
  private static final int MAX_HEADER = 1 << 16;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final List<String> ARRAYS = List.of("x", "y", "x_test", "y_test");
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpzFormat() {}

  /** The parts of an npz dataset; {@code test} is null when it has no {@code x_test}. */
  public record Content(LabelledImages train, LabelledImages test) {}

  public static Content read(InputStream raw) throws IOException {
    return read(raw, ZipLimits.DEFAULTS);
  }

  /** Reads the archive defensively (see {@link SafeZip}): entries past the limits are refused. */
  public static Content read(InputStream raw, ZipLimits limits) throws IOException {
    Map<String, Object> arrays = new HashMap<>();
    int entries = 0;
    try (SafeZip zip = new SafeZip(raw, limits, "npz")) {
      SafeZip.Entry entry;
      while ((entry = zip.next()) != null) {
        if (++entries > ARRAYS.size()) {
          throw new InvalidDataException("npz: more than " + ARRAYS.size() + " entries; expected only x, y, x_test, y_test");
        }
        String name = entry.name();
        String array = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        if (!ARRAYS.contains(array)) {
          throw new InvalidDataException(
              "npz: unexpected entry '" + name + "'; expected only the arrays x, y, x_test, y_test");
        }
        if (arrays.containsKey(array)) {
          throw new InvalidDataException("npz: array " + array + " appears twice");
        }
        Entry in = new Entry(entry);
        arrays.put(array, array.startsWith("x") ? readImages(in, array) : readLabels(in, array));
        if (entry.read() != -1) {
          throw new InvalidDataException(array + ": trailing bytes after the data its header announces");
        }
      }
    }
    if (entries == 0) {
      throw new InvalidDataException("npz: not a zip archive of .npy arrays (no entries found)");
    }
    for (String required : List.of("x", "y")) {
      if (!arrays.containsKey(required)) {
        throw new InvalidDataException("npz: array " + required + " is missing; np.savez(f, x=images, y=labels) writes both");
      }
    }
    if (arrays.containsKey("x_test") != arrays.containsKey("y_test")) {
      throw new InvalidDataException("npz: x_test and y_test go together: save both or neither");
    }
    LabelledImages train = pair((IdxFormat.Images) arrays.get("x"), (int[]) arrays.get("y"), "x", "y");
    if (Arrays2.distinct(train.labels()) < 2) {
      throw new InvalidDataException(
          "y: every label is " + train.labels()[0] + "; a classifier needs at least two classes (single class)");
    }
    LabelledImages test = arrays.containsKey("x_test")
        ? pair((IdxFormat.Images) arrays.get("x_test"), (int[]) arrays.get("y_test"), "x_test", "y_test")
        : null;
    return new Content(train, test);
  }

  private static LabelledImages pair(IdxFormat.Images images, int[] labels, String x, String y) {
    if (images.count() != labels.length) {
      throw new InvalidDataException(
          x + ": " + images.count() + " images but " + y + " has " + labels.length + " labels");
    }
    if (labels.length == 0) {
      throw new InvalidDataException(x + ": no samples");
    }
    return new LabelledImages(images.shape(), images.pixels(), labels);
  }

  private static IdxFormat.Images readImages(Entry in, String array) throws IOException {
    Header h = header(in, array);
    if (h.shape.length != 3 && h.shape.length != 4) {
      throw new InvalidDataException(array + ": shape " + h.shapeText()
          + " has " + h.shape.length + " dimensions; expected N×H×W, N×C×H×W or N×H×W×C");
    }
    boolean floats = switch (h.descr) {
      case "|u1" -> false;
      case "<f4" -> true;
      default -> throw new InvalidDataException(array + ": dtype '" + h.descr
          + "' is not supported; images must be uint8 (|u1) or float32 (<f4) scaled to [0, 1]");
    };
    long n = h.shape[0];
    long channels;
    long height;
    long width;
    boolean channelsLast = false;
    if (h.shape.length == 3) {
      channels = 1;
      height = h.shape[1];
      width = h.shape[2];
    } else if (isChannelCount(h.shape[3]) && !isChannelCount(h.shape[1])) {
      channelsLast = true;
      height = h.shape[1];
      width = h.shape[2];
      channels = h.shape[3];
    } else {
      channels = h.shape[1];
      height = h.shape[2];
      width = h.shape[3];
    }
    if (channels > Integer.MAX_VALUE || height > Integer.MAX_VALUE || width > Integer.MAX_VALUE) {
      throw new InvalidDataException(array + ": shape " + h.shapeText() + " is too large");
    }
    InputShape shape;
    try {
      shape = new InputShape((int) channels, (int) height, (int) width);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(array + ": " + e.getMessage());
    }
    long total = n * channels * height * width;
    if (n > 0 && (total / n != channels * height * width || total > MAX_ELEMENTS)) {
      throw new InvalidDataException(array + ": " + n + " images of " + shape + " exceed 2 GiB");
    }
    byte[] pixels = new byte[(int) total];
    int c = shape.channels();
    int hw = shape.height() * shape.width();
    int itemSize = floats ? 4 : 1;
    byte[] buffer = new byte[1 << 16];
    long index = 0;
    while (index < total) {
      int want = (int) Math.min(buffer.length / itemSize, total - index) * itemSize;
      in.readFully(buffer, want, array, "the header announces shape " + h.shapeText());
      ByteBuffer view = ByteBuffer.wrap(buffer, 0, want).order(ByteOrder.LITTLE_ENDIAN);
      for (int k = 0; k < want / itemSize; k++, index++) {
        byte pixel;
        if (floats) {
          float f = view.getFloat();
          if (Float.isNaN(f) || Float.isInfinite(f)) {
            throw new InvalidDataException(array + ": value " + f + " at flat index " + index + "; pixels must be finite");
          }
          if (f < 0f || f > 1f) {
            throw new InvalidDataException(array + ": float32 value " + f + " at flat index " + index
                + " is outside [0, 1]; scale float pixels to [0, 1] (e.g. x / 255) or save them as uint8");
          }
          pixel = (byte) Math.round(f * 255f);
        } else {
          pixel = view.get();
        }
        long target = index;
        if (channelsLast) {
          long image = index / ((long) hw * c);
          int within = (int) (index % ((long) hw * c));
          target = image * hw * c + (long) (within % c) * hw + within / c;
        }
        pixels[(int) target] = pixel;
      }
    }
    return new IdxFormat.Images(shape, pixels, (int) n);
  }

  private static boolean isChannelCount(long d) {
    return d == 1 || d == 3 || d == 4;
  }

  private static int[] readLabels(Entry in, String array) throws IOException {
    Header h = header(in, array);
    if (h.shape.length != 1) {
      throw new InvalidDataException(array + ": shape " + h.shapeText() + "; expected one label per image, shape (N,)");
    }
    int itemSize = switch (h.descr) {
      case "<i8" -> 8;
      case "<i4" -> 4;
      case "|u1" -> 1;
      default -> throw new InvalidDataException(array + ": dtype '" + h.descr
          + "' is not supported; labels must be int64 (<i8), int32 (<i4) or uint8 (|u1)");
    };
    long n = h.shape[0];
    if (n > MAX_ELEMENTS / itemSize) {
      throw new InvalidDataException(array + ": " + n + " labels are too many");
    }
    int[] labels = new int[(int) n];
    byte[] buffer = new byte[1 << 16];
    int index = 0;
    while (index < n) {
      int want = (int) Math.min(buffer.length / itemSize, n - index) * itemSize;
      in.readFully(buffer, want, array, "the header announces " + n + " labels");
      ByteBuffer view = ByteBuffer.wrap(buffer, 0, want).order(ByteOrder.LITTLE_ENDIAN);
      for (int k = 0; k < want / itemSize; k++, index++) {
        long label = switch (itemSize) {
          case 8 -> view.getLong();
          case 4 -> view.getInt();
          default -> view.get() & 0xFF;
        };
        if (label < 0 || label >= MAX_CLASSES) {
          throw new InvalidDataException(array + ": label " + label + " at index " + index
              + " is out of range; labels must be class indices 0.." + (MAX_CLASSES - 1));
        }
        labels[index] = (int) label;
      }
    }
    return labels;
  }

  private record Header(String descr, long[] shape) {
    String shapeText() {
      StringBuilder s = new StringBuilder("(");
      for (int i = 0; i < shape.length; i++) {
        s.append(i == 0 ? "" : ", ").append(shape[i]);
      }
      return s.append(shape.length == 1 ? ",)" : ")").toString();
    }
  }

  private static Header header(Entry in, String array) throws IOException {
    byte[] start = new byte[8];
    in.readFully(start, 8, array, "a .npy file starts with an 8-byte preamble");
    for (int i = 0; i < MAGIC.length; i++) {
      if (start[i] != MAGIC[i]) {
        throw new InvalidDataException(array + ": not a .npy array (bad magic number)");
      }
    }
    int major = start[6];
    long length;
    if (major == 1) {
      byte[] len = new byte[2];
      in.readFully(len, 2, array, "the .npy header is cut short");
      length = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    } else if (major == 2 || major == 3) {
      byte[] len = new byte[4];
      in.readFully(len, 4, array, "the .npy header is cut short");
      length = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
    } else {
      throw new InvalidDataException(array + ": .npy format version " + major + " is not supported (1, 2 or 3)");
    }
    if (length > MAX_HEADER) {
      throw new InvalidDataException(array + ": .npy header of " + length + " bytes is too long");
    }
    byte[] bytes = new byte[(int) length];
    in.readFully(bytes, bytes.length, array, "the .npy header is cut short");
    String text = new String(bytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(text);
    Matcher fortran = FORTRAN.matcher(text);
    Matcher shape = SHAPE.matcher(text);
    if (!descr.find()) {
      throw new InvalidDataException(array + ": the .npy header names no simple dtype (structured arrays are not supported)");
    }
    if (!fortran.find() || !shape.find()) {
      throw new InvalidDataException(array + ": malformed .npy header " + text.strip());
    }
    String d = descr.group(1);
    if (d.startsWith(">")) {
      throw new InvalidDataException(array + ": big-endian dtype '" + d + "' is not supported; save with x.astype(x.dtype.newbyteorder('<'))");
    }
    if (fortran.group(1).equals("True")) {
      throw new InvalidDataException(array + ": Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)");
    }
    String[] dims = shape.group(1).split(",");
    int rank = 0;
    long[] parsed = new long[dims.length];
    for (String dim : dims) {
      if (dim.isBlank()) {
        continue;
      }
      try {
        parsed[rank++] = Long.parseLong(dim.strip().replace("L", ""));
      } catch (NumberFormatException e) {
        throw new InvalidDataException(array + ": malformed shape (" + shape.group(1) + ") in the .npy header");
      }
      if (parsed[rank - 1] < 0) {
        throw new InvalidDataException(array + ": negative dimension in shape (" + shape.group(1) + ")");
      }
    }
    return new Header(d, java.util.Arrays.copyOf(parsed, rank));
  }

  /** One zip entry, read whole or not at all; its limits are watched by {@link SafeZip}. */
  private static final class Entry {
    private final SafeZip.Entry entry;

    Entry(SafeZip.Entry entry) {
      this.entry = entry;
    }

    void readFully(byte[] into, int length, String what, String expectation) throws IOException {
      int off = 0;
      while (off < length) {
        int n = entry.read(into, off, length - off);
        if (n < 0) {
          throw new InvalidDataException(what + ": truncated array, " + expectation);
        }
        off += n;
      }
    }
  }

  private static final class Arrays2 {
    static int distinct(int[] labels) {
      boolean[] seen = new boolean[MAX_CLASSES];
      int count = 0;
      for (int label : labels) {
        if (!seen[label]) {
          seen[label] = true;
          count++;
        }
      }
      return count;
    }
  }
}
