package com.kddm.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** ImageFolder ZIPs built in memory: entries in the order they are added, images drawn by ImageIO. */
public final class ImageFolderZips {

  private final Map<String, byte[]> entries = new LinkedHashMap<>();

  public ImageFolderZips add(String name, byte[] content) {
    entries.put(name, content);
    return this;
  }

  /** {@code count} images per class, in {@code <prefix><class>/<i>.png}, each class its own brightness. */
  public ImageFolderZips classes(String prefix, int count, int size, boolean rgb, String... classes) {
    Random random = new Random(prefix.hashCode() + 31L * count);
    for (int c = 0; c < classes.length; c++) {
      for (int i = 0; i < count; i++) {
        add(prefix + classes[c] + "/" + i + (i % 2 == 0 ? ".png" : ".PNG"),
            png(image(size, size, rgb, 40 + 160 * c / Math.max(1, classes.length - 1), random)));
      }
    }
    return this;
  }

  public byte[] zip() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A noisy image around {@code level}: grayscale (TYPE_BYTE_GRAY) or RGB with a red tint. */
  public static BufferedImage image(int width, int height, boolean rgb, int level, Random random) {
    BufferedImage image = new BufferedImage(width, height, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int v = Math.max(0, Math.min(255, level + random.nextInt(41) - 20));
        if (rgb) {
          image.setRGB(x, y, (Math.min(255, v + 30) << 16) | (v << 8) | Math.max(0, v - 30));
        } else {
          image.getRaster().setSample(x, y, 0, v);
        }
      }
    }
    return image;
  }

  public static byte[] png(BufferedImage image) {
    return encode(image, "png");
  }

  public static byte[] jpeg(BufferedImage image) {
    return encode(image, "jpeg");
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no " + format + " writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
