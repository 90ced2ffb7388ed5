package com.kddm.training;

import com.kddm.architectures.InputShape;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads an ImageFolder ZIP: one folder per class of PNG or JPEG images, {@code <class>/<image>}, or
 * {@code train/<class>/<image>} with an optional {@code test/<class>/<image>}; a single top-level
 * folder around either (what zipping a folder makes) is looked through, and {@code __MACOSX/} and
 * dot-files are ignored. Classes are the training part's folder names, sorted, labelled 0..K-1.
 *
 * <p>Two passes over the archive, each streaming: {@link #scan} checks the layout and every image's
 * header, and learns the labels; {@link #convert} decodes one image at a time, converts it to
 * grayscale or RGB, resizes it by area averaging and writes its bytes channels first.
 */
public final class ImageFolderFormat {

  /** As many as an npz may have; past 256 the labels are stored as 32-bit IDX integers. */
  public static final int MAX_CLASSES = 1000;

  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

  private ImageFolderFormat() {}

  /**
   * What the first pass learnt: class names (sorted), the labels of each part in archive order
   * ({@code testLabels} null without a test part), and whether every image is grayscale.
   */
  public record Layout(List<String> classes, int[] trainLabels, int[] testLabels, boolean allGrayscale) {}

  /** Where an image entry belongs. */
  private record Place(boolean test, String className) {}

  /** How entry names map to parts and classes, fixed by the first image of the archive. */
  private static final class Naming {
    private String wrapper;
    private Boolean split;
    private String firstImage;

    /** The entry's place, or null for an entry to ignore. */
    Place place(String name) {
      String[] segments = name.split("/");
      if (segments[0].equals("__MACOSX") || Arrays.stream(segments).anyMatch(s -> s.startsWith("."))) {
        return null;
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (EXTENSIONS.stream().noneMatch(lower::endsWith)) {
        throw new InvalidDataException("zip: entry '" + name + "' is not a supported file type; an ImageFolder ZIP"
            + " holds only PNG and JPEG images (.png, .jpg, .jpeg) in class folders");
      }
      if (split == null) {
        firstImage = name;
        switch (segments.length) {
          case 1 -> throw notInClassFolder(name);
          case 2 -> split = false;
          case 3 -> {
            split = isPart(segments[0]);
            wrapper = split ? null : segments[0];
          }
          case 4 -> {
            if (!isPart(segments[1])) {
              throw tooDeep(name);
            }
            split = true;
            wrapper = segments[0];
          }
          default -> throw tooDeep(name);
        }
      }
      String[] inner = segments;
      if (wrapper != null) {
        if (!segments[0].equals(wrapper) || segments.length < 2) {
          throw new InvalidDataException("zip: entry '" + name + "' is outside the folder '" + wrapper
              + "/' that holds the first image '" + firstImage + "'; put everything in one folder, or none");
        }
        inner = Arrays.copyOfRange(segments, 1, segments.length);
      }
      int expected = split ? 3 : 2;
      if (inner.length != expected || split && !isPart(inner[0])) {
        if (inner.length == 1) {
          throw notInClassFolder(name);
        }
        throw new InvalidDataException("zip: entry '" + name + "' does not fit the layout of the first image '"
            + firstImage + "': expected " + (wrapper == null ? "" : wrapper + "/")
            + (split ? "train/<class>/<image> or test/<class>/<image>" : "<class>/<image>"));
      }
      return split ? new Place(inner[0].equals("test"), inner[1]) : new Place(false, inner[0]);
    }

    private static boolean isPart(String segment) {
      return segment.equals("train") || segment.equals("test");
    }

    private static InvalidDataException notInClassFolder(String name) {
      return new InvalidDataException("zip: image '" + name + "' is not in a class folder; expected <class>/<image>"
          + " or train/<class>/<image>");
    }

    private static InvalidDataException tooDeep(String name) {
      return new InvalidDataException("zip: entry '" + name + "' is nested too deep; expected <class>/<image> or"
          + " train/<class>/<image> and test/<class>/<image>, optionally inside one top-level folder");
    }
  }

  /**
   * Tells an npz from an ImageFolder ZIP by the first file in the archive: {@code "npz"} for a
   * {@code .npy} array, {@code "imagefolder"} for a PNG or JPEG image.
   */
  public static String detect(InputStream archive, ZipLimits limits) throws IOException {
    try (SafeZip zip = new SafeZip(archive, limits, "file")) {
      for (SafeZip.Entry entry; (entry = zip.next()) != null; ) {
        String name = entry.name();
        String lower = name.toLowerCase(Locale.ROOT);
        if (entry.isDirectory() || lower.startsWith("__macosx/") || Arrays.stream(name.split("/")).anyMatch(s -> s.startsWith("."))) {
          continue;
        }
        if (lower.endsWith(".npy")) {
          return "npz";
        }
        if (EXTENSIONS.stream().anyMatch(lower::endsWith)) {
          return "imagefolder";
        }
        throw new InvalidDataException("file: cannot tell the format from its first entry '" + name + "': an npz"
            + " holds .npy arrays, an ImageFolder ZIP class folders of PNG or JPEG images; name the format with the"
            + " format field if it is one of them");
      }
      throw new InvalidDataException(zip.entries() == 0
          ? "file: not a ZIP archive (no entries found); expected an npz (np.savez) or an ImageFolder ZIP"
          : "file: the ZIP archive holds no files");
    }
  }

  /** The first pass: layout, labels and image headers; decodes no pixels. */
  public static Layout scan(InputStream archive, ZipLimits limits, long maxImagePixels) throws IOException {
    Naming naming = new Naming();
    Map<String, Integer> trainClasses = new HashMap<>();
    Map<String, Integer> testClasses = new HashMap<>();
    IntList train = new IntList();
    IntList test = new IntList();
    boolean allGray = true;
    try (SafeZip zip = new SafeZip(archive, limits, "zip")) {
      for (SafeZip.Entry entry; (entry = zip.next()) != null; ) {
        if (entry.isDirectory()) {
          continue;
        }
        Place place = naming.place(entry.name());
        if (place == null) {
          continue;
        }
        Map<String, Integer> classes = place.test() ? testClasses : trainClasses;
        int index = classes.computeIfAbsent(place.className(), k -> classes.size());
        (place.test() ? test : train).add(index);
        allGray &= header(entry, maxImagePixels);
      }
    }
    if (train.size == 0) {
      throw new InvalidDataException(test.size == 0
          ? "zip: no PNG or JPEG images found; expected <class>/<image> or train/<class>/<image>"
          : "zip: the archive has a test/ part but no train/ part");
    }
    List<String> classes = List.copyOf(new TreeSet<>(trainClasses.keySet()));
    if (classes.size() < 2) {
      throw new InvalidDataException("zip: a single class folder '" + classes.get(0)
          + "' in the training part; a classifier needs at least two classes");
    }
    if (classes.size() > MAX_CLASSES) {
      throw new InvalidDataException("zip: " + classes.size() + " class folders; at most " + MAX_CLASSES + " are supported");
    }
    for (String name : testClasses.keySet()) {
      if (!trainClasses.containsKey(name)) {
        throw new InvalidDataException("zip: test class folder '" + name + "' has no training images; the test"
            + " part's classes must be among the training part's " + classes);
      }
    }
    return new Layout(classes, relabel(train, trainClasses, classes),
        test.size == 0 ? null : relabel(test, testClasses, classes), allGray);
  }

  /**
   * The second pass over one part: every image of it, in archive order, as {@code shape}'s bytes
   * channels first, written to {@code out}. Returns the statistics of the images not marked in
   * {@code excluded} (null: none is).
   */
  public static Normalization convert(InputStream archive, ZipLimits limits, long maxImagePixels, boolean testPart,
      InputShape shape, boolean[] excluded, OutputStream out) throws IOException {
    Naming naming = new Naming();
    Normalization.Accumulator statistics = new Normalization.Accumulator(shape);
    byte[] pixels = new byte[shape.pixels()];
    int index = 0;
    try (SafeZip zip = new SafeZip(archive, limits, "zip")) {
      for (SafeZip.Entry entry; (entry = zip.next()) != null; ) {
        if (entry.isDirectory()) {
          continue;
        }
        Place place = naming.place(entry.name());
        if (place == null || place.test() != testPart) {
          continue;
        }
        resize(decode(entry, maxImagePixels), shape, pixels);
        out.write(pixels);
        if (excluded == null || !excluded[index]) {
          statistics.add(pixels, 0, pixels.length);
        }
        index++;
      }
    }
    return index == 0 ? Normalization.NONE : statistics.result();
  }

  /** Reads an image's header: refuses what cannot be decoded; answers whether it is grayscale. */
  private static boolean header(SafeZip.Entry entry, long maxImagePixels) throws IOException {
    ImageReader reader = reader(entry);
    try {
      checkSize(entry, reader, maxImagePixels);
      Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
      ColorModel model = types.hasNext() ? types.next().getColorModel() : null;
      return model != null && isGray(model);
    } catch (IOException | RuntimeException e) {
      throw undecodable(entry, e);
    } finally {
      reader.dispose();
    }
  }

  private static BufferedImage decode(SafeZip.Entry entry, long maxImagePixels) throws IOException {
    ImageReader reader = reader(entry);
    try {
      checkSize(entry, reader, maxImagePixels);
      return reader.read(0);
    } catch (IOException | RuntimeException e) {
      throw undecodable(entry, e);
    } finally {
      reader.dispose();
    }
  }

  private static ImageReader reader(SafeZip.Entry entry) throws IOException {
    ImageInputStream in = new MemoryCacheImageInputStream(entry);
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new InvalidDataException("zip: image '" + entry.name() + "' cannot be decoded: it is not a PNG or JPEG file");
    }
    ImageReader reader = readers.next();
    String format = reader.getFormatName().toLowerCase(Locale.ROOT);
    if (!format.equals("png") && !format.equals("jpeg")) {
      reader.dispose();
      throw new InvalidDataException("zip: image '" + entry.name() + "' is a " + format + " file; only PNG and JPEG are read");
    }
    reader.setInput(in, true, true);
    return reader;
  }

  private static void checkSize(SafeZip.Entry entry, ImageReader reader, long maxImagePixels) throws IOException {
    long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
    if (pixels > maxImagePixels) {
      throw new InvalidDataException("zip: image '" + entry.name() + "' is " + reader.getWidth(0) + "×"
          + reader.getHeight(0) + " pixels; images of more than " + maxImagePixels + " pixels are refused");
    }
  }

  private static InvalidDataException undecodable(SafeZip.Entry entry, Exception e) {
    if (e instanceof InvalidDataException invalid) {
      return invalid;
    }
    return new InvalidDataException("zip: image '" + entry.name() + "' cannot be decoded (" + e.getMessage() + ")", e);
  }

  private static boolean isGray(ColorModel model) {
    return !(model instanceof IndexColorModel) && model.getNumColorComponents() == 1;
  }

  /**
   * Converts to {@code shape}'s channels (grayscale: ITU-R BT.601 luma, as PIL's {@code convert("L")};
   * a grayscale image in RGB: the value thrice; alpha is dropped) and resizes by area averaging:
   * each output pixel is the mean of the source area it covers, weighted by coverage (on
   * enlargement: the nearest pixel, blended across pixel edges). The aspect ratio is not kept.
   */
  static void resize(BufferedImage image, InputShape shape, byte[] out) {
    int w = image.getWidth();
    int h = image.getHeight();
    int channels = shape.channels();
    float[][] source = new float[channels][w * h];
    ColorModel model = image.getColorModel();
    if (isGray(model)) {
      // Raw samples: getRGB would pass a gray image through a linear-to-sRGB conversion.
      Raster raster = image.getRaster();
      double scale = 255.0 / ((1L << model.getComponentSize(0)) - 1);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          float v = (float) (row[x] * scale);
          for (int c = 0; c < channels; c++) {
            source[c][y * w + x] = v;
          }
        }
      }
    } else {
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int r = (row[x] >> 16) & 0xFF;
          int g = (row[x] >> 8) & 0xFF;
          int b = row[x] & 0xFF;
          if (channels == 1) {
            source[0][y * w + x] = 0.299f * r + 0.587f * g + 0.114f * b;
          } else {
            source[0][y * w + x] = r;
            source[1][y * w + x] = g;
            source[2][y * w + x] = b;
          }
        }
      }
    }
    int tw = shape.width();
    int th = shape.height();
    Weights across = new Weights(w, tw);
    Weights down = new Weights(h, th);
    float[] rows = new float[h * tw];
    for (int c = 0; c < channels; c++) {
      float[] plane = source[c];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < tw; x++) {
          double sum = 0;
          for (int k = 0; k < across.weights[x].length; k++) {
            sum += across.weights[x][k] * plane[y * w + across.start[x] + k];
          }
          rows[y * tw + x] = (float) sum;
        }
      }
      int base = c * th * tw;
      for (int y = 0; y < th; y++) {
        for (int x = 0; x < tw; x++) {
          double sum = 0;
          for (int k = 0; k < down.weights[y].length; k++) {
            sum += down.weights[y][k] * rows[(down.start[y] + k) * tw + x];
          }
          out[base + y * tw + x] = (byte) Math.max(0, Math.min(255, Math.round(sum)));
        }
      }
    }
  }

  /** For each output pixel along one axis: the first source pixel it covers and the coverage weights. */
  private static final class Weights {
    final int[] start;
    final double[][] weights;

    Weights(int source, int target) {
      start = new int[target];
      weights = new double[target][];
      double scale = source / (double) target;
      for (int d = 0; d < target; d++) {
        double lo = d * scale;
        double hi = Math.min(source, (d + 1) * scale);
        int first = (int) Math.floor(lo);
        int last = Math.min(source - 1, (int) Math.ceil(hi) - 1);
        start[d] = first;
        weights[d] = new double[last - first + 1];
        double total = 0;
        for (int i = first; i <= last; i++) {
          double overlap = Math.min(hi, i + 1) - Math.max(lo, i);
          weights[d][i - first] = Math.max(0, overlap);
          total += weights[d][i - first];
        }
        for (int i = 0; i < weights[d].length; i++) {
          weights[d][i] /= total;
        }
      }
    }
  }

  private static int[] relabel(IntList byAppearance, Map<String, Integer> appearance, List<String> sorted) {
    int[] label = new int[appearance.size()];
    appearance.forEach((name, index) -> label[index] = sorted.indexOf(name));
    int[] out = new int[byAppearance.size];
    for (int i = 0; i < out.length; i++) {
      out[i] = label[byAppearance.values[i]];
    }
    return out;
  }

  private static final class IntList {
    int[] values = new int[1024];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }
}
