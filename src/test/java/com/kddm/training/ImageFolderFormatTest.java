package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.kddm.architectures.InputShape;
import com.kddm.testing.ImageFolderZips;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class ImageFolderFormatTest {

  private static final long MAX_PIXELS = 1 << 24;

  @Test
  void classesAreTheSortedFolderNamesAndLabelsFollowTheArchiveOrder() throws IOException {
    byte[] zip = new ImageFolderZips().classes("", 3, 12, false, "zebra", "ant", "moth").zip();
    ImageFolderFormat.Layout layout = scan(zip);
    assertThat(layout.classes()).containsExactly("ant", "moth", "zebra");
    assertThat(layout.trainLabels()).containsExactly(2, 2, 2, 0, 0, 0, 1, 1, 1);
    assertThat(layout.testLabels()).isNull();
    assertThat(layout.allGrayscale()).isTrue();
  }

  @Test
  void moreThan256ClassesAreStoredAsIntegerLabelsAndReadBack() throws IOException {
    String[] names = new String[300];
    for (int c = 0; c < names.length; c++) {
      names[c] = String.format("n%04d", c);
    }
    ImageFolderFormat.Layout layout = scan(new ImageFolderZips().classes("", 1, 8, false, names).zip());
    assertThat(layout.classes()).hasSize(300);
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    IdxFormat.writeLabels(file, layout.trainLabels());
    byte[] bytes = file.toByteArray();
    assertThat(bytes[2]).as("IDX element type: 32-bit integers").isEqualTo((byte) 0x0C);
    assertThat(bytes).hasSize(8 + 4 * 300);
    assertThat(IdxFormat.readLabels(new ByteArrayInputStream(bytes), "labels")).containsExactly(layout.trainLabels());

    String[] tooMany = java.util.Arrays.copyOf(names, 1001);
    for (int c = 300; c < tooMany.length; c++) {
      tooMany[c] = String.format("n%04d", c);
    }
    assertRefused(new ImageFolderZips().classes("", 1, 8, false, tooMany).zip(), "1001 class folders; at most 1000");
  }

  @Test
  void labelFilesOfFewClassesStayBytesAsMnistsAre() throws IOException {
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    IdxFormat.writeLabels(file, new int[] {0, 3, 255});
    assertThat(file.toByteArray()).containsExactly(0, 0, 8, 1, 0, 0, 0, 3, 0, 3, (byte) 255);
  }

  @Test
  void aTrainAndTestLayoutInsideOneFolderIsReadAndMacOsDebrisIgnored() throws IOException {
    byte[] zip = new ImageFolderZips()
        .add("photos/", new byte[0])
        .classes("photos/train/", 2, 10, true, "cat", "dog")
        .classes("photos/test/", 1, 10, true, "dog")
        .add("__MACOSX/photos/train/cat/._0.png", new byte[] {1, 2, 3})
        .add("photos/.DS_Store", new byte[] {0})
        .add("photos/train/cat/.hidden.png", new byte[] {0})
        .zip();
    ImageFolderFormat.Layout layout = scan(zip);
    assertThat(layout.classes()).containsExactly("cat", "dog");
    assertThat(layout.trainLabels()).containsExactly(0, 0, 1, 1);
    assertThat(layout.testLabels()).containsExactly(1);
    assertThat(layout.allGrayscale()).isFalse();

    InputShape shape = new InputShape(3, 8, 8);
    ByteArrayOutputStream test = new ByteArrayOutputStream();
    ImageFolderFormat.convert(new ByteArrayInputStream(zip), ZipLimits.DEFAULTS, MAX_PIXELS, true, shape, null, test);
    assertThat(test.size()).isEqualTo(shape.pixels());
  }

  @Test
  void classFoldersInsideOneTopLevelFolderAreRead() throws IOException {
    ImageFolderFormat.Layout layout = scan(new ImageFolderZips().classes("mnist/", 2, 8, false, "7", "1").zip());
    assertThat(layout.classes()).containsExactly("1", "7");
    assertThat(layout.trainLabels()).containsExactly(1, 1, 0, 0);
  }

  @Test
  void convertingMeasuresTheImagesNotExcluded() throws IOException {
    byte[] zip = new ImageFolderZips().classes("", 4, 16, false, "a", "b").zip();
    InputShape shape = new InputShape(1, 8, 8);
    boolean[] excluded = {false, true, false, false, true, false, false, false};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Normalization measured =
        ImageFolderFormat.convert(new ByteArrayInputStream(zip), ZipLimits.DEFAULTS, MAX_PIXELS, false, shape, excluded, out);
    byte[] pixels = out.toByteArray();
    assertThat(pixels).hasSize(8 * 64);
    int[] kept = {0, 2, 3, 5, 6, 7};
    LabelledImages all = new LabelledImages(shape, pixels, new int[8]);
    assertThat(measured).isEqualTo(Normalization.of(all.subset(kept)));
  }

  @Test
  void areaAveragingTakesTheMeanOfEachBlockAndGrayscaleIsRead() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    int[] values = {0, 10, 100, 200, 20, 30, 50, 50, 255, 255, 1, 2, 255, 255, 3, 4};
    gray.getRaster().setSamples(0, 0, 4, 4, 0, values);
    byte[] out = new byte[4];
    ImageFolderFormat.resize(gray, new InputShape(1, 2, 2), out);
    assertThat(unsigned(out)).containsExactly(15, 100, 255, 3);

    // Enlarging copies each pixel; RGB to gray is BT.601 luma.
    BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0xFF8000);
    byte[] big = new byte[16];
    ImageFolderFormat.resize(rgb, new InputShape(1, 4, 4), big);
    assertThat(unsigned(big)).containsOnly((int) Math.round(0.299 * 255 + 0.587 * 128));
    byte[] colour = new byte[3 * 64];
    ImageFolderFormat.resize(rgb, new InputShape(3, 8, 8), colour);
    assertThat(colour[0] & 0xFF).isEqualTo(255);
    assertThat(colour[64] & 0xFF).isEqualTo(128);
    assertThat(colour[128] & 0xFF).isEqualTo(0);
  }

  @Test
  void jpegImagesAreRead() throws IOException {
    Random random = new Random(1);
    byte[] zip = new ImageFolderZips()
        .add("a/1.jpg", ImageFolderZips.jpeg(ImageFolderZips.image(20, 20, true, 50, random)))
        .add("b/1.jpeg", ImageFolderZips.jpeg(ImageFolderZips.image(20, 20, true, 200, random)))
        .zip();
    assertThat(scan(zip).classes()).containsExactly("a", "b");
  }

  @Test
  void pathTraversalAndUnsafeNamesAreRefused() {
    byte[] png = ImageFolderZips.png(ImageFolderZips.image(8, 8, false, 10, new Random(1)));
    assertRefused(new ImageFolderZips().add("../evil/x.png", png).zip(), "path traversal");
    assertRefused(new ImageFolderZips().add("a/../../x.png", png).zip(), "path traversal");
    assertRefused(new ImageFolderZips().add("/etc/x.png", png).zip(), "unsafe name");
    assertRefused(new ImageFolderZips().add("C:/x/y.png", png).zip(), "unsafe name");
    assertRefused(new ImageFolderZips().add("a\\b.png", png).zip(), "unsafe name");
  }

  @Test
  void zipBombsAndOversizedArchivesAreRefusedByWhatReallyInflates() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("a/bomb.png"));
      zip.write(ImageFolderZips.png(ImageFolderZips.image(8, 8, false, 10, new Random(1))));
      zip.write(new byte[20 << 20]);
      zip.closeEntry();
    }
    assertThat(bytes.size()).isLessThan(1 << 20);
    assertRefused(bytes.toByteArray(), "entry 'a/bomb.png' has a compression ratio above 100:1");

    byte[] zip = new ImageFolderZips().classes("", 3, 8, false, "a", "b").zip();
    assertRefused(zip, new ZipLimits(5, 1 << 20, 1 << 30, 100, 1 << 20), "more than 5 entries");
    assertRefused(zip, new ZipLimits(100, 50, 1 << 30, 100, 1 << 20), "entry 'a/0.png' inflates past 50 bytes");
    assertRefused(zip, new ZipLimits(100, 1 << 20, 300, 100, 1 << 20), "the archive inflates past 300 bytes in all");
  }

  @Test
  void brokenArchivesAndImagesAreRefusedNamingTheEntry() throws IOException {
    byte[] png = ImageFolderZips.png(ImageFolderZips.image(8, 8, false, 10, new Random(1)));
    assertRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", "not an image".getBytes()).zip(),
        "image 'b/2.png' cannot be decoded: it is not a PNG or JPEG file");
    assertRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", png).add("b/notes.txt", new byte[1]).zip(),
        "entry 'b/notes.txt' is not a supported file type");
    byte[] gif = encodeGif();
    assertRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", gif).zip(), "'b/2.png' is a gif file");
    assertRefused(new ImageFolderZips().classes("", 2, 8, false, "only").zip(), "a single class folder 'only'");
    assertRefused(new ImageFolderZips().classes("train/", 2, 8, false, "a", "b").classes("test/", 1, 8, false, "c").zip(),
        "test class folder 'c' has no training images");
    assertRefused(new ImageFolderZips().add("a/1.png", png).add("x.png", png).zip(), "image 'x.png' is not in a class folder");
    assertRefused(new ImageFolderZips().add("a/b/c/d/e.png", png).zip(), "nested too deep");
    assertRefused(new ImageFolderZips().add("a/1.png", png).add("w/b/2.png", png).zip(), "does not fit the layout");
    assertRefused(new ImageFolderZips().add("x/", new byte[0]).zip(), "no PNG or JPEG images found");

    byte[] good = new ImageFolderZips().classes("", 3, 16, false, "a", "b").zip();
    assertRefused(Arrays.copyOf(good, good.length / 2), "corrupt or truncated zip archive");
    assertRefused(Arrays.copyOf(good, good.length - 30), "corrupt or truncated zip archive");
    assertRefused("not a zip".getBytes(), "no PNG or JPEG images found");

    // A PNG cut short passes the header pass and is refused when its pixels are decoded.
    byte[] big = ImageFolderZips.png(ImageFolderZips.image(64, 64, false, 100, new Random(3)));
    byte[] cut = new ImageFolderZips().add("a/1.png", png).add("b/2.png", Arrays.copyOf(big, big.length / 2)).zip();
    scan(cut);
    assertThatThrownBy(() -> ImageFolderFormat.convert(new ByteArrayInputStream(cut), ZipLimits.DEFAULTS, MAX_PIXELS,
        false, new InputShape(1, 8, 8), null, new ByteArrayOutputStream()))
        .isInstanceOf(InvalidDataException.class).hasMessageContaining("image 'b/2.png' cannot be decoded");
  }

  @Test
  void imagesLargerThanTheLimitAreRefusedBeforeDecoding() {
    byte[] zip = new ImageFolderZips().classes("", 1, 40, false, "a", "b").zip();
    assertThatThrownBy(() -> ImageFolderFormat.scan(new ByteArrayInputStream(zip), ZipLimits.DEFAULTS, 1000))
        .isInstanceOf(InvalidDataException.class).hasMessageContaining("is 40×40 pixels");
  }

  @Test
  void theFormatIsToldFromTheFirstFile() throws IOException {
    assertThat(detect(new ImageFolderZips().add("__MACOSX/x", new byte[1]).add("x.npy", new byte[1]).zip())).isEqualTo("npz");
    assertThat(detect(new ImageFolderZips().add("d/", new byte[0]).add("d/a/1.JPG", new byte[1]).zip())).isEqualTo("imagefolder");
    assertThatThrownBy(() -> detect(new ImageFolderZips().add("a/1.bmp", new byte[1]).zip()))
        .hasMessageContaining("cannot tell the format from its first entry 'a/1.bmp'");
    assertThatThrownBy(() -> detect("plain text".getBytes())).hasMessageContaining("file: not a ZIP archive");
  }

  private static String detect(byte[] zip) throws IOException {
    return ImageFolderFormat.detect(new ByteArrayInputStream(zip), ZipLimits.DEFAULTS);
  }

  private static ImageFolderFormat.Layout scan(byte[] zip) throws IOException {
    return ImageFolderFormat.scan(new ByteArrayInputStream(zip), ZipLimits.DEFAULTS, MAX_PIXELS);
  }

  private static void assertRefused(byte[] zip, String reason) {
    assertRefused(zip, ZipLimits.DEFAULTS, reason);
  }

  private static void assertRefused(byte[] zip, ZipLimits limits, String reason) {
    assertThatThrownBy(() -> ImageFolderFormat.scan(new ByteArrayInputStream(zip), limits, MAX_PIXELS))
        .isInstanceOf(InvalidDataException.class).hasMessageContaining(reason);
  }

  private static byte[] encodeGif() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    javax.imageio.ImageIO.write(ImageFolderZips.image(8, 8, true, 10, new Random(2)), "gif", out);
    return out.toByteArray();
  }

  private static List<Integer> unsigned(byte[] bytes) {
    Integer[] out = new Integer[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xFF;
    }
    return Arrays.asList(out);
  }
}
