package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.ImageFolderZips;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.LabelledImages;
import com.kddm.training.Normalization;
import com.kddm.training.Split;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * ImageFolder ZIPs and drawn test parts over HTTP: uploaded, trained on, downloaded; and every
 * kind of bad archive refused with its reason, leaving no row and no file.
 */
class ImageFolderDatasetsIT extends IntegrationTest {

  @Test
  void anImageFolderZipUploadsTrainsAndItsStudentDownloads() throws Exception {
    byte[] zip = new ImageFolderZips()
        .classes("pets/train/", 8, 12, false, "dog", "cat", "bird")
        .classes("pets/test/", 2, 12, false, "cat", "dog")
        .add("__MACOSX/pets/._x.png", new byte[] {1})
        .zip();
    HttpResponse<String> upload = postMultipart("/v1/datasets", new Multipart()
        .file("file", "pets.zip", zip).field("name", "pets").field("imageSize", "8"));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    JsonNode dataset = json(upload);
    UUID id = id(dataset);
    assertThat(dataset.get("format").asString()).isEqualTo("imagefolder");
    assertThat(dataset.get("classNames").toString()).isEqualTo("[\"bird\",\"cat\",\"dog\"]");
    assertThat(dataset.get("classes").asInt()).isEqualTo(3);
    assertThat(dataset.get("inputShape").toString()).as("grayscale images make one channel").isEqualTo("[1,8,8]");
    assertThat(dataset.get("trainSamples").asInt()).isEqualTo(24);
    assertThat(dataset.get("testSamples").asInt()).isEqualTo(4);
    assertThat(dataset.get("split").isNull()).isTrue();
    assertThat(dataset.get("normalization").get("mean").size()).isEqualTo(1);
    assertThat(dataset.get("normalization").get("std").get(0).asDouble()).isPositive();
    assertThat(dataset.get("sha256").asString()).isEqualTo(sha256(zip));
    assertThat(dataset.get("bytes").asLong()).isEqualTo(zip.length);

    HttpResponse<byte[]> archive = bytes("/v1/datasets/" + id + "/files/archive");
    assertThat(archive.statusCode()).isEqualTo(200);
    assertThat(archive.body()).isEqualTo(zip);
    assertThat(archive.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains(".zip"));
    // The converted images, as training reads them: an IDX file of 24 images of 1×8×8.
    byte[] converted = bytes("/v1/datasets/" + id + "/files/trainImages").body();
    assertThat(converted).hasSize(20 + 24 * 64);

    HttpResponse<String> submitted = postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "cnn", "featureSize": 8},
         "training": {"epochs": 1, "batchSize": 8, "seed": 2}}""".formatted(id));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    UUID job = id(json(submitted));
    JsonNode done = awaitTerminal(job);
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    HttpResponse<byte[]> student = bytes("/v1/jobs/" + job + "/student");
    assertThat(student.statusCode()).isEqualTo(200);
    assertThat(sha256(student.body())).isEqualTo(done.get("result").get("studentSha256").asString());

    // Deleting it removes the archive and the converted images.
    assertThat(Files.exists(STORAGE.resolve("datasets/" + id + "/archive.zip"))).isTrue();
    HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(uri("/v1/datasets/" + id)).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(STORAGE.resolve("datasets/" + id)).doesNotExist();
  }

  @Test
  void colourImagesMakeThreeChannelsUnlessOneIsAskedFor() throws Exception {
    byte[] zip = new ImageFolderZips().classes("", 3, 10, true, "red", "blue").zip();
    JsonNode rgb = json(postMultipart("/v1/datasets", new Multipart().file("file", "c.zip", zip).field("imageSize", "16x8")));
    assertThat(rgb.get("inputShape").toString()).as("[channels, height, width]").isEqualTo("[3,8,16]");
    assertThat(rgb.get("normalization").get("mean").size()).isEqualTo(3);
    JsonNode gray = json(postMultipart("/v1/datasets", new Multipart()
        .file("file", "c.zip", zip).field("imageSize", "8").field("channels", "1").field("format", "imagefolder")));
    assertThat(gray.get("inputShape").toString()).isEqualTo("[1,8,8]");
  }

  @Test
  void aTestPartDrawnWithASeedIsStoredAppliedAndTrainedOn() throws Exception {
    LabelledImages data = SyntheticImages.generate(40, 2, 28, 8);
    HttpResponse<String> upload = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(data, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(data, false))
        .field("testFraction", "0.25").field("splitSeed", "9"));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    JsonNode dataset = json(upload);
    assertThat(dataset.get("trainSamples").asInt()).isEqualTo(30);
    assertThat(dataset.get("testSamples").asInt()).isEqualTo(10);
    assertThat(dataset.get("split").get("testFraction").asDouble()).isEqualTo(0.25);
    assertThat(dataset.get("split").get("seed").asLong()).isEqualTo(9);
    // The statistics are those of the training part after the split, not of the whole file.
    Normalization expected = Normalization.of(new Split(0.25, 9).apply(data).train());
    assertThat(dataset.get("normalization").get("mean").get(0).floatValue()).isEqualTo(expected.mean()[0]);
    assertThat(dataset.get("normalization").get("std").get(0).floatValue()).isEqualTo(expected.std()[0]);

    UUID job = id(json(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 8},
         "training": {"epochs": 1, "batchSize": 8}}""".formatted(id(dataset)))));
    JsonNode done = awaitTerminal(job);
    assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(bytes("/v1/jobs/" + job + "/student").statusCode()).isEqualTo(200);

    JsonNode npz = json(postMultipart("/v1/datasets", new Multipart()
        .file("file", "d.npz", fixture("nhw-uint8.npz")).field("testFraction", "0.2")));
    assertThat(npz.get("trainSamples").asInt()).isEqualTo(32);
    assertThat(npz.get("testSamples").asInt()).isEqualTo(8);
    assertThat(npz.get("split").get("seed").asLong()).as("the default seed").isEqualTo(0);

    long rows = datasetRows();
    long files = storedFiles();
    HttpResponse<String> tooSmall = postMultipart("/v1/datasets", new Multipart()
        .file("trainImages", "i", SyntheticImages.imagesIdx(data, false))
        .file("trainLabels", "l", SyntheticImages.labelsIdx(data, false)).field("testFraction", "0.001"));
    assertThat(tooSmall.statusCode()).as(tooSmall.body()).isEqualTo(422);
    assertThat(json(tooSmall).get("detail").asString()).contains("leaves an empty test part");
    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  @Test
  void aTestFractionForAFileWithATestPartIsABadRequest() throws Exception {
    long rows = datasetRows();
    long files = storedFiles();
    HttpResponse<String> npz = postMultipart("/v1/datasets", new Multipart()
        .file("file", "d.npz", fixture("nhwc-uint8.npz")).field("testFraction", "0.2"));
    assertThat(npz.statusCode()).as(npz.body()).isEqualTo(400);
    assertThat(json(npz).get("errors").get(0).get("field").asString()).isEqualTo("testFraction");
    byte[] zip = new ImageFolderZips().classes("train/", 2, 8, false, "a", "b").classes("test/", 1, 8, false, "a").zip();
    HttpResponse<String> folder = postMultipart("/v1/datasets", new Multipart()
        .file("file", "d.zip", zip).field("imageSize", "8").field("testFraction", "0.5"));
    assertThat(folder.statusCode()).as(folder.body()).isEqualTo(400);
    assertThat(json(folder).get("errors").get(0).get("field").asString()).isEqualTo("testFraction");
    for (String[] field : new String[][] {{"testFraction", "1.5"}, {"imageSize", "4"}, {"imageSize", "9000"},
        {"channels", "2"}, {"format", "tiff"}}) {
      HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart()
          .file("file", "d.zip", zip).field(field[0], field[1]).field("imageSize".equals(field[0]) ? "x" : "imageSize", "8"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(json(r).get("errors").get(0).get("field").asString()).isEqualTo(field[0]);
    }
    HttpResponse<String> noSize = postMultipart("/v1/datasets", new Multipart().file("file", "d.zip", zip));
    assertThat(noSize.statusCode()).as(noSize.body()).isEqualTo(400);
    assertThat(json(noSize).get("errors").get(0).get("field").asString()).isEqualTo("imageSize");
    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  @Test
  void badZipsAreRefusedWithTheReasonAndLeaveNothingBehind() throws Exception {
    long rows = datasetRows();
    long files = storedFiles();
    byte[] png = ImageFolderZips.png(ImageFolderZips.image(8, 8, false, 10, new Random(1)));
    byte[] good = new ImageFolderZips().classes("", 3, 12, false, "a", "b").zip();

    expectRefused(new ImageFolderZips().add("a/1.png", png).add("../b/2.png", png).zip(), "'../b/2.png' has a '..' path segment (path traversal)");
    expectRefused(bomb(), "entry 'a/bomb.png' has a compression ratio above 100:1");
    ImageFolderZips many = new ImageFolderZips();
    for (int i = 0; i < 501; i++) {
      many.add("d" + i + "/", new byte[0]);
    }
    expectRefused(many.zip(), "more than 500 entries");
    expectRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", "garbage".getBytes()).zip(),
        "image 'b/2.png' cannot be decoded");
    byte[] big = ImageFolderZips.png(ImageFolderZips.image(64, 64, false, 100, new Random(3)));
    expectRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", java.util.Arrays.copyOf(big, big.length / 2)).zip(),
        "image 'b/2.png' cannot be decoded");
    expectRefused(new ImageFolderZips().classes("", 2, 8, false, "lonely").zip(), "a single class folder 'lonely'");
    expectRefused(new ImageFolderZips().classes("train/", 2, 8, false, "a", "b").classes("test/", 1, 8, false, "z").zip(),
        "test class folder 'z' has no training images");
    expectRefused(java.util.Arrays.copyOf(good, good.length / 2), "corrupt or truncated zip archive");
    expectRefused(new ImageFolderZips().add("a/1.png", png).add("b/2.png", png).add("b/labels.csv", new byte[1]).zip(),
        "entry 'b/labels.csv' is not a supported file type");
    expectRefused(new ImageFolderZips().add("a/readme.txt", new byte[1]).zip(), "cannot tell the format");
    expectRefused("not a zip at all".getBytes(), "file: not a ZIP archive");
    // Told from its first entry, an npz with an image in it is refused by the npz rules.
    HttpResponse<String> mixed = postMultipart("/v1/datasets", new Multipart()
        .file("file", "d.zip", new ImageFolderZips().add("x.npy", png).add("a/1.png", png).zip()));
    assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(422);
    assertThat(json(mixed).get("detail").asString()).contains("x: not a .npy array");

    assertThat(datasetRows()).isEqualTo(rows);
    assertThat(storedFiles()).isEqualTo(files);
  }

  private void expectRefused(byte[] zip, String reason) throws Exception {
    HttpResponse<String> r = postMultipart("/v1/datasets", new Multipart().file("file", "d.zip", zip).field("imageSize", "8"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(json(r).get("detail").asString()).contains(reason).doesNotContain("Exception");
  }

  private static byte[] bomb() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("a/bomb.png"));
      zip.write(ImageFolderZips.png(ImageFolderZips.image(8, 8, false, 10, new Random(1))));
      zip.write(new byte[20 << 20]);
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  private HttpResponse<byte[]> bytes(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ImageFolderDatasetsIT.class.getResourceAsStream("/datasets/" + name)) {
      return in.readAllBytes();
    }
  }

  private long datasetRows() {
    return jdbc.sql("select count(*) from datasets").query(Long.class).single();
  }

  private long storedFiles() throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(STORAGE)) {
      return walk.filter(Files::isRegularFile).count();
    }
  }
}
