package com.kddm.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.Resource;

/** What every {@link BlobStore} promises, run against each back end by a subclass. */
abstract class BlobStoreContract {

  /** The store under test, fresh (empty) for each test. */
  abstract BlobStore store();

  /** Everything the store holds or left behind: stored keys, temporary files, unfinished uploads. */
  abstract List<String> leftovers() throws IOException;

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] read(BlobStore store, String key) throws IOException {
    try (InputStream in = store.open(key)) {
      return in.readAllBytes();
    }
  }

  @Test
  void writesAndReadsBackWithSizeAndDigest() throws Exception {
    byte[] data = bytes(300_000, 1);
    StoredBlob blob = store().write("datasets/a/train.idx", new ByteArrayInputStream(data));

    assertThat(blob).isEqualTo(new StoredBlob("datasets/a/train.idx", data.length, sha256(data)));
    assertThat(read(store(), "datasets/a/train.idx")).isEqualTo(data);
    assertThat(store().describe("datasets/a/train.idx")).isEqualTo(blob);
    assertThat(store().sha256("datasets/a/train.idx")).isEqualTo(sha256(data));
    assertThat(store().exists("datasets/a/train.idx")).isTrue();
    assertThat(leftovers()).containsExactly("datasets/a/train.idx");
  }

  @Test
  void writingAgainReplacesTheArtifact() throws Exception {
    store().write("students/j-attempt-1.zip", out -> out.write("first".getBytes(UTF_8)));
    StoredBlob second = store().write("students/j-attempt-1.zip", out -> out.write("second".getBytes(UTF_8)));

    assertThat(read(store(), "students/j-attempt-1.zip")).isEqualTo("second".getBytes(UTF_8));
    assertThat(store().describe("students/j-attempt-1.zip")).isEqualTo(second);
  }

  @Test
  void emptyArtifactsAreArtifacts() throws Exception {
    StoredBlob blob = store().write("checkpoints/e.ckpt", out -> {});
    assertThat(blob.bytes()).isZero();
    assertThat(store().describe("checkpoints/e.ckpt")).isEqualTo(blob);
    assertThat(read(store(), "checkpoints/e.ckpt")).isEmpty();
  }

  @Test
  void aFailingWriterLeavesNothingBehind() throws Exception {
    store().write("teachers/keep.zip", out -> out.write(1));

    assertThatThrownBy(() -> store().write("teachers/t.upload", out -> {
      out.write(bytes(100_000, 2));
      throw new IOException("client went away");
    })).isInstanceOf(IOException.class).hasMessage("client went away");
    assertThatThrownBy(() -> store().write("teachers/keep.zip", out -> {
      out.write(2);
      throw new IllegalStateException("broken writer");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store().exists("teachers/t.upload")).isFalse();
    assertThat(read(store(), "teachers/keep.zip")).containsExactly(1);
    assertThat(leftovers()).containsExactly("teachers/keep.zip");
  }

  @Test
  void moveKeepsBytesAndDigestUnderTheNewKey() throws Exception {
    byte[] data = bytes(70_000, 3);
    StoredBlob staged = store().write("teachers/t.upload", new ByteArrayInputStream(data));

    StoredBlob moved = store().move(staged, "teachers/t.pt");

    assertThat(moved).isEqualTo(new StoredBlob("teachers/t.pt", data.length, sha256(data)));
    assertThat(store().describe("teachers/t.pt")).isEqualTo(moved);
    assertThat(read(store(), "teachers/t.pt")).isEqualTo(data);
    assertThat(store().exists("teachers/t.upload")).isFalse();
    assertThat(leftovers()).containsExactly("teachers/t.pt");
  }

  @Test
  void copyLeavesTheSource() throws Exception {
    byte[] data = bytes(5_000, 4);
    store().write("students/j-attempt-1.zip", new ByteArrayInputStream(data));

    StoredBlob copy = store().copy("students/j-attempt-1.zip", "teachers/t.zip");

    assertThat(copy).isEqualTo(new StoredBlob("teachers/t.zip", data.length, sha256(data)));
    assertThat(read(store(), "teachers/t.zip")).isEqualTo(data);
    assertThat(store().describe("teachers/t.zip")).isEqualTo(copy);
    assertThat(leftovers()).containsExactlyInAnyOrder("students/j-attempt-1.zip", "teachers/t.zip");
  }

  @Test
  void deleteRemovesAndForgetsMissingKeys() throws Exception {
    store().write("checkpoints/j.ckpt", out -> out.write(7));

    store().delete("checkpoints/j.ckpt");
    store().delete("checkpoints/j.ckpt");
    store().delete("checkpoints/never.ckpt");

    assertThat(store().exists("checkpoints/j.ckpt")).isFalse();
    assertThatThrownBy(() -> store().open("checkpoints/j.ckpt")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store().describe("checkpoints/j.ckpt")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store().localFile("checkpoints/j.ckpt")).isInstanceOf(NoSuchFileException.class);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void deleteAllTakesOnlyNamesWithThePrefixDirectlyInTheFolder() throws Exception {
    for (String key : List.of("students/j1-attempt-1.zip", "students/j1-attempt-1.safetensors",
        "students/j1-attempt-2.zip", "students/j10-attempt-1.zip", "students/j1-/deeper.zip", "teachers/j1-x.zip")) {
      store().write(key, out -> out.write(1));
    }

    store().deleteAll("students", "j1-");
    store().deleteAll("absent", "j1-");

    assertThat(leftovers()).containsExactlyInAnyOrder("students/j10-attempt-1.zip", "students/j1-/deeper.zip",
        "teachers/j1-x.zip");
  }

  @Test
  void deleteFolderTakesEverythingUnderIt() throws Exception {
    for (String key : List.of("datasets/d1/train.idx", "datasets/d1/test/x.idx", "datasets/d10/train.idx")) {
      store().write(key, out -> out.write(1));
    }
    store().localFile("datasets/d1/train.idx");

    store().deleteFolder("datasets/d1");
    store().deleteFolder("datasets/absent");

    assertThat(leftovers()).containsExactly("datasets/d10/train.idx");
  }

  @Test
  void invalidKeysAreRefused() {
    for (String key : List.of("../etc/passwd", "datasets/../../x", "datasets/..", "/datasets/x", "datasets/.hidden",
        "nofolder", "Datasets/x", "datasets/x y", "datasets//x", "datasets/x/")) {
      assertThatThrownBy(() -> store().write(key, out -> out.write(1))).as(key)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store().open(key)).as(key).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store().delete(key)).as(key).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> store().deleteFolder("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store().deleteAll("students", "a/b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void localFileHoldsTheCurrentBytes() throws Exception {
    byte[] first = bytes(40_000, 5);
    store().write("teachers/t.pt", new ByteArrayInputStream(first));

    Path file = store().localFile("teachers/t.pt");
    assertThat(Files.readAllBytes(file)).isEqualTo(first);
    assertThat(store().localFile("teachers/t.pt")).isEqualTo(file);

    byte[] second = bytes(30_000, 6);
    store().write("teachers/t.pt", new ByteArrayInputStream(second));
    assertThat(Files.readAllBytes(store().localFile("teachers/t.pt"))).isEqualTo(second);
  }

  @Test
  void theResourceKnowsItsLengthAndReadsFromAnOffset() throws Exception {
    byte[] data = bytes(3_000_000, 7);
    store().write("students/r-attempt-1.zip", new ByteArrayInputStream(data));

    Resource resource = store().resource("students/r-attempt-1.zip");
    assertThat(resource.exists()).isTrue();
    assertThat(resource.contentLength()).isEqualTo(data.length);
    try (InputStream in = resource.getInputStream()) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    // What Spring's range support does: skip to each range's start in one stream, read the range.
    try (InputStream in = resource.getInputStream()) {
      in.skipNBytes(10);
      assertThat(in.readNBytes(5)).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 15));
      in.skipNBytes(100);
      assertThat(in.readNBytes(3)).isEqualTo(java.util.Arrays.copyOfRange(data, 115, 118));
      in.skipNBytes(2_000_000);
      assertThat(in.readNBytes(4)).isEqualTo(java.util.Arrays.copyOfRange(data, 2_000_118, 2_000_122));
      assertThat(in.skip(5_000_000)).isEqualTo(data.length - 2_000_122);
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(store().resource("students/absent.zip").exists()).isFalse();
  }
}
