package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.kddm.architectures.InputShape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class NpzFormatTest {

  // Fixtures written by numpy (scripts/make-npz-fixtures.py).

  @Test
  void readsChannelsLastUint8WithATestPart() throws IOException {
    NpzFormat.Content c = fixture("nhwc-uint8.npz");
    assertThat(c.train().shape()).isEqualTo(new InputShape(3, 8, 8));
    assertThat(c.train().size()).isEqualTo(24);
    assertThat(c.train().classCount()).isEqualTo(3);
    assertThat(c.test().size()).isEqualTo(8);
    assertThat(c.test().shape()).isEqualTo(new InputShape(3, 8, 8));
    // Stored channels first: pixel (n, c, h, w) of the fixture is (7n + 11h + 13w + 17c) % 256.
    byte[] pixels = c.train().pixels();
    for (int n = 0; n < 24; n += 5) {
      for (int ch = 0; ch < 3; ch++) {
        for (int h = 0; h < 8; h += 3) {
          for (int w = 0; w < 8; w += 2) {
            assertThat(pixels[n * 192 + ch * 64 + h * 8 + w] & 0xFF).isEqualTo((7 * n + 11 * h + 13 * w + 17 * ch) % 256);
          }
        }
      }
    }
    assertThat(c.train().labels()).startsWith(0, 1, 2, 0);
  }

  @Test
  void readsChannelsFirstFloat32InUnitRangeScaledTo255() throws IOException {
    NpzFormat.Content c = fixture("nchw-float32.npz");
    assertThat(c.train().shape()).isEqualTo(new InputShape(3, 6, 5));
    assertThat(c.test()).isNull();
    assertThat(c.train().classCount()).isEqualTo(4);
    int[] expected = {0, 64, 128, 191, 255};
    byte[] pixels = c.train().pixels();
    for (int n = 0; n < 20; n += 7) {
      for (int ch = 0; ch < 3; ch++) {
        for (int h = 0; h < 6; h++) {
          for (int w = 0; w < 5; w++) {
            assertThat(pixels[n * 90 + ch * 30 + h * 5 + w] & 0xFF).isEqualTo(expected[(n + ch + h + w) % 5]);
          }
        }
      }
    }
  }

  @Test
  void readsSingleChannelNhwWithUint8Labels() throws IOException {
    NpzFormat.Content c = fixture("nhw-uint8.npz");
    assertThat(c.train().shape()).isEqualTo(new InputShape(1, 28, 28));
    assertThat(c.train().size()).isEqualTo(40);
    assertThat(c.train().classCount()).isEqualTo(2);
  }

  @Test
  void brokenFixturesAreRefusedWithTheirReason() {
    assertRefused(() -> fixture("nan.npz"), "x: value NaN at flat index 39");
    assertRefused(() -> fixture("label-out-of-range.npz"), "y: label 1000 at index 3 is out of range");
    assertRefused(() -> fixture("count-mismatch.npz"), "x: 6 images but y has 5 labels");
    assertRefused(() -> fixture("one-class.npz"), "single class");
  }

  // Archives built here, for the refusals numpy would not write.

  @Test
  void channelsLastOnlyWhenTheSecondDimensionIsNotAChannelCount() throws IOException {
    // (N, 3, 4, 3): second dimension is a channel count too, so channels first: 3x4x3.
    NpzFormat.Content c = read(Map.of("x", npy("|u1", false, new long[] {2, 3, 4, 3}, new byte[72]), "y", labels(0, 1)));
    assertThat(c.train().shape()).isEqualTo(new InputShape(3, 4, 3));
    // (N, 5, 5, 1): channels last, 1x5x5.
    c = read(Map.of("x", npy("|u1", false, new long[] {2, 5, 5, 1}, new byte[50]), "y", labels(0, 1)));
    assertThat(c.train().shape()).isEqualTo(new InputShape(1, 5, 5));
  }

  @Test
  void int32LabelsAndVersion2HeadersAreRead() throws IOException {
    byte[] y = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).array();
    NpzFormat.Content c = read(Map.of("x", npy("|u1", false, new long[] {2, 2, 2}, new byte[8]), "y", npy("<i4", false, new long[] {2}, y, 2)));
    assertThat(c.train().labels()).containsExactly(1, 0);
  }

  @Test
  void floatsOutsideTheUnitRangeAreRefused() {
    byte[] x = floats(0.5f, 37f, 0f, 1f, 0f, 0f, 0f, 0f);
    assertRefused(() -> read(Map.of("x", npy("<f4", false, new long[] {2, 2, 2}, x), "y", labels(0, 1))),
        "x: float32 value 37.0 at flat index 1 is outside [0, 1]");
    assertRefused(() -> read(Map.of("x", npy("<f4", false, new long[] {2, 2, 2}, floats(0, Float.POSITIVE_INFINITY, 0, 0, 0, 0, 0, 0)), "y", labels(0, 1))),
        "x: value Infinity at flat index 1");
  }

  @Test
  void wrongDtypesRanksAndLayoutsAreRefused() {
    byte[] y = labels(0, 1);
    assertRefused(() -> read(Map.of("x", npy("<f8", false, new long[] {2, 1, 1}, new byte[16]), "y", y)), "x: dtype '<f8' is not supported");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 4}, new byte[8]), "y", y)), "x: shape (2, 4) has 2 dimensions");
    assertRefused(() -> read(Map.of("x", npy(">f4", false, new long[] {2, 1, 1}, new byte[8]), "y", y)), "x: big-endian dtype '>f4'");
    assertRefused(() -> read(Map.of("x", npy("|u1", true, new long[] {2, 2, 2}, new byte[8]), "y", y)), "x: Fortran-ordered");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 2, 2}, new byte[8]), "y", npy("<f4", false, new long[] {2}, new byte[8]))),
        "y: dtype '<f4' is not supported");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 2, 2}, new byte[8]), "y", npy("|u1", false, new long[] {2, 1}, new byte[] {0, 1}))),
        "y: shape (2, 1); expected one label per image");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 0, 2}, new byte[0]), "y", y)), "x: input shape must be positive");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {0, 2, 2}, new byte[0]), "y", npy("|u1", false, new long[] {0}, new byte[0]))),
        "x: no samples");
  }

  @Test
  void negativeLabelsAreRefused() {
    byte[] y = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(-1).array();
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 1, 1}, new byte[2]), "y", npy("<i8", false, new long[] {2}, y))),
        "y: label -1 at index 1 is out of range");
  }

  @Test
  void missingUnknownAndUnpairedArraysAreRefused() {
    byte[] x = npy("|u1", false, new long[] {2, 1, 1}, new byte[2]);
    assertRefused(() -> read(Map.of("x", x)), "npz: array y is missing");
    assertRefused(() -> read(Map.of("y", labels(0, 1))), "npz: array x is missing");
    assertRefused(() -> read(Map.of("x", x, "y", labels(0, 1), "labels", labels(0, 1))), "npz: unexpected entry 'labels.npy'");
    assertRefused(() -> read(Map.of("x", x, "y", labels(0, 1), "x_test", x)), "x_test and y_test go together");
  }

  @Test
  void truncatedAndCorruptArchivesAreRefused() throws IOException {
    byte[] whole = zip(Map.of("x", npy("|u1", false, new long[] {2, 8, 8}, new byte[128]), "y", labels(0, 1)), true);
    assertRefused(() -> NpzFormat.read(new ByteArrayInputStream(Arrays.copyOf(whole, 100))), "npz: corrupt or truncated zip");
    byte[] stored = zip(Map.of("x", npy("|u1", false, new long[] {2, 8, 8}, new byte[128])), false);
    assertRefused(() -> NpzFormat.read(new ByteArrayInputStream(Arrays.copyOf(stored, 120))), "npz: corrupt or truncated zip");
    assertRefused(() -> NpzFormat.read(new ByteArrayInputStream("not a zip".getBytes())), "npz: not a zip archive");
    // A header that announces more data than the entry holds.
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {4, 8, 8}, new byte[128]), "y", labels(0, 1))), "x: truncated array");
    assertRefused(() -> read(Map.of("x", "garbage, not an array".getBytes(), "y", labels(0, 1))), "x: not a .npy array");
    assertRefused(() -> read(Map.of("x", npy("|u1", false, new long[] {2, 1, 1}, new byte[3]), "y", labels(0, 1))), "x: trailing bytes");
  }

  @Test
  void absurdCompressionRatiosAreRefused() throws IOException {
    // 70 MiB of zeros deflate to about 70 KiB.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("x.npy"));
      zip.write(npy("|u1", false, new long[] {70, 1024, 1024}, new byte[0]));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 70; i++) {
        zip.write(zeros);
      }
      zip.closeEntry();
    }
    byte[] bomb = out.toByteArray();
    assertThat(bomb.length).isLessThan(1 << 20);
    assertRefused(() -> NpzFormat.read(new ByteArrayInputStream(bomb)), "npz: entry 'x.npy' has a compression ratio above 100:1");
  }

  @Test
  void theStatisticsOfTheTrainingPartAreNumpys() throws IOException {
    // x = np.load("nhwc-uint8.npz")["x"] / 255; x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))
    Normalization n = Normalization.of(fixture("nhwc-uint8.npz").train());
    assertThat(n.mean()).containsExactly(new float[] {0.56928105f, 0.58366013f, 0.58169935f}, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(n.std()).containsExactly(new float[] {0.25034557f, 0.26617522f, 0.28699584f}, org.assertj.core.data.Offset.offset(1e-6f));
  }

  // Helpers.

  private interface Read {
    Object run() throws Exception;
  }

  private static void assertRefused(Read read, String reason) {
    assertThatThrownBy(read::run).isInstanceOf(InvalidDataException.class).hasMessageContaining(reason);
  }

  private static NpzFormat.Content fixture(String name) throws IOException {
    try (InputStream in = NpzFormatTest.class.getResourceAsStream("/datasets/" + name)) {
      return NpzFormat.read(in);
    }
  }

  private static NpzFormat.Content read(Map<String, byte[]> arrays) throws IOException {
    return NpzFormat.read(new ByteArrayInputStream(zip(arrays, false)));
  }

  static byte[] labels(long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return npy("<i8", false, new long[] {values.length}, b.array());
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] npy(String descr, boolean fortran, long[] shape, byte[] data) {
    return npy(descr, fortran, shape, data, 1);
  }

  /** A .npy file as numpy writes it: magic, version, little-endian header length, padded dict. */
  static byte[] npy(String descr, boolean fortran, long[] shape, byte[] data, int version) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + (dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple + ", }";
    int prefix = version == 1 ? 10 : 12;
    int padded = (prefix + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - prefix - dict.length() - 1) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    ByteBuffer len = ByteBuffer.allocate(version == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (version == 1) {
      len.putShort((short) header.length());
    } else {
      len.putInt(header.length());
    }
    out.writeBytes(len.array());
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  static byte[] zip(Map<String, byte[]> arrays, boolean deflate) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : new LinkedHashMap<>(arrays).entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        if (!deflate) {
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
