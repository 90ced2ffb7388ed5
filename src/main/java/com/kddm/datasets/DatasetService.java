package com.kddm.datasets;

import com.kddm.architectures.InputShape;
import com.kddm.storage.ArtifactDownload;
import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.system.ApiException;
import com.kddm.training.IdxFormat;
import com.kddm.training.ImageFolderFormat;
import com.kddm.training.InvalidDataException;
import com.kddm.training.LabelledImages;
import com.kddm.training.Normalization;
import com.kddm.training.NpzFormat;
import com.kddm.training.Split;
import com.kddm.training.ZipLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;

@Service
public class DatasetService {

  /** One uploaded file of a dataset: its part name and a way to read it once. */
  public interface Part {
    String name();

    InputStream open() throws IOException;
  }

  /**
   * What an upload may ask for besides its files: the format (null: told from the content), the
   * size and channels ImageFolder images are converted to, and a test part to draw.
   */
  record UploadOptions(String format, ImageSize imageSize, Integer channels, Split split) {
    static final UploadOptions NONE = new UploadOptions(null, null, null, null);
  }

  /** The size every image of an ImageFolder ZIP is resized to. */
  record ImageSize(int width, int height) {}

  private final DatasetRepository datasets;
  private final BlobStore blobs;
  private final Clock clock;
  private final ZipLimits zipLimits;
  private final long maxImagePixels;

  DatasetService(DatasetRepository datasets, BlobStore blobs, Clock clock, DatasetsProperties properties) {
    this.datasets = datasets;
    this.blobs = blobs;
    this.clock = clock;
    this.zipLimits = properties.zip().limits();
    this.maxImagePixels = properties.maxImagePixels();
  }

  /**
   * Stores the parts, then reads them back and validates them; the row is written only when
   * everything is usable, and a refused upload leaves no file behind.
   */
  DatasetResponse upload(String name, Part trainImages, Part trainLabels, Part testImages, Part testLabels,
      Split split) throws IOException {
    return upload(name, trainImages, trainLabels, testImages, testLabels, split, false);
  }

  private DatasetResponse upload(String name, Part trainImages, Part trainLabels, Part testImages, Part testLabels,
      Split split, boolean builtin) throws IOException {
    if ((testImages == null) != (testLabels == null)) {
      throw ApiException.badField(testImages == null ? "testImages" : "testLabels",
          "testImages and testLabels go together: upload both or neither");
    }
    if (split != null && testImages != null) {
      throw ApiException.badField("testFraction", "the upload has a test part (testImages, testLabels); a test"
          + " fraction draws one only from a file without");
    }
    UUID id = UUID.randomUUID();
    List<StoredBlob> stored = new ArrayList<>();
    try {
      StoredBlob trainImagesBlob = store(id, trainImages, stored);
      StoredBlob trainLabelsBlob = store(id, trainLabels, stored);
      StoredBlob testImagesBlob = testImages == null ? null : store(id, testImages, stored);
      StoredBlob testLabelsBlob = testLabels == null ? null : store(id, testLabels, stored);
      // Scanned, not loaded: an upload of any size is validated in a small heap. Labels first: a
      // drawn split decides which images the statistics measure.
      int[] labels;
      try (InputStream in = blobs.open(trainLabelsBlob.key())) {
        labels = IdxFormat.readLabels(in, "trainLabels");
      }
      boolean[] drawnTest = split == null || labels.length < 1 ? null : split.testMask(labels);
      IdxFormat.Scan scan;
      try (InputStream in = blobs.open(trainImagesBlob.key())) {
        scan = IdxFormat.scanImages(in, "trainImages", drawnTest);
      }
      PartSummary train = summary(scan.images(), labels, "training part");
      PartSummary test =
          testImages == null ? null : scan(testImagesBlob.key(), testLabelsBlob.key(), "testImages", "testLabels", "test part");
      int classes = check(train, test, "trainLabels", "testImages", "testLabels");
      int testSize = drawnTest == null ? test == null ? 0 : test.size() : count(drawnTest);
      int trainSize = drawnTest == null ? train.size() : train.size() - testSize;
      Dataset dataset =
          new Dataset(id, name == null || name.isBlank() ? "dataset-" + id : name.strip(), trainSize, testSize, classes, train.shape(), combinedDigest(stored),
              stored.stream().mapToLong(StoredBlob::bytes).sum(), trainImagesBlob.key(), trainLabelsBlob.key(),
              testImagesBlob == null ? null : testImagesBlob.key(), testLabelsBlob == null ? null : testLabelsBlob.key(),
              clock.instant().truncatedTo(ChronoUnit.MICROS)).withSplit(split).withNormalization(scan.statistics())
              .withFileDigests(stored);
      return DatasetResponse.of(datasets.save(builtin ? dataset.asBuiltin() : dataset));
    } catch (IOException | RuntimeException e) {
      stored.forEach(blob -> blobs.delete(blob.key()));
      throw e;
    }
  }

  /**
   * Stores one uploaded file, an npz or an ImageFolder ZIP, its format named or told from its
   * content, then reads it back and validates it; a refused upload leaves no row and no file behind.
   */
  DatasetResponse uploadFile(String name, Part file, UploadOptions options) throws IOException {
    String format = options.format();
    if (format == null) {
      try (InputStream in = file.open()) {
        format = ImageFolderFormat.detect(in, zipLimits);
      }
    }
    return switch (format) {
      case "npz" -> {
        refuseImageOptions(options, "an npz");
        yield uploadNpz(name, file, options.split());
      }
      case "imagefolder" -> uploadImageFolder(name, file, options);
      default -> throw ApiException.badField("format", "an uploaded file is an npz or an imagefolder ZIP; idx comes"
          + " as trainImages, trainLabels, ...");
    };
  }

  private static void refuseImageOptions(UploadOptions options, String what) {
    if (options.imageSize() != null) {
      throw ApiException.badField("imageSize", "only an ImageFolder ZIP is resized; " + what + " keeps its images' size");
    }
    if (options.channels() != null) {
      throw ApiException.badField("channels", "only an ImageFolder ZIP is converted; " + what + " keeps its channels");
    }
  }

  /**
   * Stores a NumPy .npz archive (arrays x, y, optional x_test, y_test; see {@link NpzFormat}), then
   * reads it back and validates it.
   */
  private DatasetResponse uploadNpz(String name, Part file, Split split) throws IOException {
    UUID id = UUID.randomUUID();
    StoredBlob blob = null;
    try {
      try (InputStream in = file.open()) {
        blob = blobs.write("datasets/" + id + "/dataset.npz", in);
      }
      NpzFormat.Content content;
      try (InputStream in = blobs.open(blob.key())) {
        content = NpzFormat.read(in, zipLimits);
      }
      if (split != null && content.test() != null) {
        throw ApiException.badField("testFraction", "the npz has a test part (x_test, y_test); a test fraction draws"
            + " one only from a file without");
      }
      int classes = check(content.train(), content.test(), "y", "x_test", "y_test");
      LabelledImages train = content.train();
      LabelledImages test = content.test();
      if (split != null) {
        Split.Parts parts = split.apply(train);
        train = parts.train();
        test = parts.test();
      }
      Dataset dataset = Dataset.npz(id, name == null || name.isBlank() ? "dataset-" + id : name.strip(),
          train.size(), test == null ? 0 : test.size(), classes, train.shape(),
          blob.sha256(), blob.bytes(), blob.key(), clock.instant().truncatedTo(ChronoUnit.MICROS))
          .withSplit(split).withNormalization(Normalization.of(train)).withFileDigests(List.of(blob));
      return DatasetResponse.of(datasets.save(dataset));
    } catch (IOException | RuntimeException e) {
      if (blob != null) {
        blobs.delete(blob.key());
      }
      throw e;
    }
  }

  /**
   * Stores an ImageFolder ZIP as uploaded, checks its layout and images in a first pass, then
   * converts each part's images to an IDX file in a second, measuring the training part's statistics
   * on the way; one image is decoded at a time.
   */
  private DatasetResponse uploadImageFolder(String name, Part file, UploadOptions options) throws IOException {
    if (options.imageSize() == null) {
      throw ApiException.badField("imageSize", "required for an ImageFolder ZIP: the size every image is resized to,"
          + " e.g. 32 or 28x28 (width x height)");
    }
    UUID id = UUID.randomUUID();
    String folder = "datasets/" + id;
    try {
      StoredBlob archive;
      try (InputStream in = file.open()) {
        archive = blobs.write(folder + "/archive.zip", in);
      }
      ImageFolderFormat.Layout layout;
      try (InputStream in = blobs.open(archive.key())) {
        layout = ImageFolderFormat.scan(in, zipLimits, maxImagePixels);
      }
      if (options.split() != null && layout.testLabels() != null) {
        throw ApiException.badField("testFraction", "the ZIP has a test/ part; a test fraction draws one only from a"
            + " ZIP without");
      }
      int channels = options.channels() != null ? options.channels() : layout.allGrayscale() ? 1 : 3;
      InputShape shape = new InputShape(channels, options.imageSize().height(), options.imageSize().width());
      boolean[] drawnTest = options.split() == null ? null : options.split().testMask(layout.trainLabels());
      Normalization[] statistics = new Normalization[1];
      StoredBlob trainImages = blobs.write(folder + "/trainImages.idx", out -> {
        statistics[0] = writeImages(archive.key(), false, layout.trainLabels().length, shape, drawnTest, out);
      });
      StoredBlob trainLabels = blobs.write(folder + "/trainLabels.idx", out -> IdxFormat.writeLabels(out, layout.trainLabels()));
      StoredBlob testImages = null;
      StoredBlob testLabels = null;
      if (layout.testLabels() != null) {
        testImages = blobs.write(folder + "/testImages.idx",
            out -> writeImages(archive.key(), true, layout.testLabels().length, shape, null, out));
        testLabels = blobs.write(folder + "/testLabels.idx", out -> IdxFormat.writeLabels(out, layout.testLabels()));
      }
      int testSize = drawnTest != null ? count(drawnTest) : layout.testLabels() == null ? 0 : layout.testLabels().length;
      int trainSize = layout.trainLabels().length - (drawnTest == null ? 0 : testSize);
      Dataset dataset = Dataset.imageFolder(id, name == null || name.isBlank() ? "dataset-" + id : name.strip(),
          trainSize, testSize, layout.classes(), shape, archive.sha256(), archive.bytes(), trainImages.key(),
          trainLabels.key(), testImages == null ? null : testImages.key(), testLabels == null ? null : testLabels.key(),
          archive.key(), clock.instant().truncatedTo(ChronoUnit.MICROS))
          .withSplit(options.split()).withNormalization(statistics[0])
          .withFileDigests(java.util.Arrays.asList(archive, trainImages, trainLabels, testImages, testLabels));
      return DatasetResponse.of(datasets.save(dataset));
    } catch (IOException | RuntimeException e) {
      blobs.deleteFolder(folder);
      throw e;
    }
  }

  private Normalization writeImages(String archiveKey, boolean testPart, int count, InputShape shape,
      boolean[] excluded, java.io.OutputStream out) throws IOException {
    java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
    IdxFormat.writeImagesHeader(buffered, count, shape);
    Normalization statistics;
    try (InputStream in = blobs.open(archiveKey)) {
      statistics = ImageFolderFormat.convert(in, zipLimits, maxImagePixels, testPart, shape, excluded, buffered);
    }
    buffered.flush();
    return statistics;
  }

  private static int count(boolean[] marks) {
    int n = 0;
    for (boolean mark : marks) {
      n += mark ? 1 : 0;
    }
    return n;
  }

  /** What validation needs to know of one part of a dataset. */
  private record PartSummary(InputShape shape, int size, int classCount) {
    static PartSummary of(LabelledImages images) {
      return images == null ? null : new PartSummary(images.shape(), images.size(), images.classCount());
    }
  }

  private PartSummary scan(String imagesKey, String labelsKey, String imagesPart, String labelsPart, String what)
      throws IOException {
    IdxFormat.Images images;
    try (InputStream in = blobs.open(imagesKey)) {
      images = IdxFormat.scanImages(in, imagesPart);
    }
    int[] labels;
    try (InputStream in = blobs.open(labelsKey)) {
      labels = IdxFormat.readLabels(in, labelsPart);
    }
    return summary(images, labels, what);
  }

  private static PartSummary summary(IdxFormat.Images images, int[] labels, String what) {
    if (images.count() != labels.length) {
      throw new InvalidDataException(what + ": " + images.count() + " images but " + labels.length + " labels");
    }
    if (labels.length == 0) {
      throw new InvalidDataException(what + ": no samples");
    }
    return new PartSummary(images.shape(), labels.length, java.util.Arrays.stream(labels).max().orElse(-1) + 1);
  }

  private static int check(LabelledImages train, LabelledImages test, String trainLabels, String testImages,
      String testLabels) {
    return check(PartSummary.of(train), PartSummary.of(test), trainLabels, testImages, testLabels);
  }

  private static int check(PartSummary train, PartSummary test, String trainLabels, String testImages,
      String testLabels) {
    int classes = train.classCount();
    if (classes < 2) {
      throw new InvalidDataException(trainLabels + ": the training part has a single class; a classifier needs at least two");
    }
    if (test != null) {
      if (!test.shape().equals(train.shape())) {
        throw new InvalidDataException(
            testImages + ": test images are " + test.shape() + " but training images are " + train.shape());
      }
      if (test.classCount() > classes) {
        throw new InvalidDataException(
            testLabels + ": label " + (test.classCount() - 1) + " does not occur in the training part (classes 0.." + (classes - 1) + ")");
      }
    }
    return classes;
  }

  DatasetResponse get(UUID id) {
    return DatasetResponse.of(find(id));
  }

  List<DatasetResponse> list(int limit) {
    return datasets.findAllByOrderByCreatedAtDesc(Limit.of(limit)).stream().map(DatasetResponse::of).toList();
  }

  /**
   * What a job needs to know of the dataset. Called inside the submission's transaction, it holds
   * the row so that the dataset cannot be deleted before the job that uses it is recorded.
   */
  public Optional<DatasetSummary> summary(UUID id) {
    return datasets.findAndHold(id)
        .map(d -> new DatasetSummary(d.id(), d.shape(), d.classes(), d.trainSamples(), d.testSamples() > 0));
  }

  /** Reads a stored dataset into memory for training. */
  public DatasetContent load(UUID id) throws IOException {
    Dataset d = find(id);
    DatasetContent content = read(d);
    Normalization stored = d.normalization();
    return stored == null ? content : new DatasetContent(content.train(), content.test(), stored);
  }

  /**
   * The dataset's parts, with a drawn test part applied, and the statistics of the training part as
   * measured now.
   */
  private DatasetContent read(Dataset d) throws IOException {
    LabelledImages train;
    LabelledImages test;
    if ("npz".equals(d.format())) {
      try (InputStream in = blobs.open(d.archiveBlob())) {
        NpzFormat.Content content = NpzFormat.read(in, zipLimits);
        train = content.train();
        test = content.test();
      }
    } else {
      train = read(d.trainImagesBlob(), d.trainLabelsBlob(), "trainImages", "trainLabels", "training part");
      test = d.testImagesBlob() == null ? null : read(d.testImagesBlob(), d.testLabelsBlob(), "testImages", "testLabels", "test part");
    }
    Split split = d.split();
    if (split != null) {
      Split.Parts parts = split.apply(train);
      train = parts.train();
      test = parts.test();
    }
    return new DatasetContent(train, test, Normalization.of(train));
  }

  /**
   * Measures and records the statistics of datasets stored before they were measured at upload (rows
   * from before V10), so that their responses and jobs see them.
   *
   * @return how many datasets were measured
   */
  int measureMissingNormalizations() throws IOException {
    int measured = 0;
    for (Dataset d : datasets.findByNormalizationMeanIsNull()) {
      datasets.save(d.withNormalization(read(d).normalization()));
      measured++;
    }
    return measured;
  }

  /**
   * Imports an IDX dataset from files on the server, once: a built-in dataset of that name already
   * there is kept.
   *
   * @return whether it was imported now
   */
  boolean importBuiltin(DatasetsProperties.Builtin builtin) throws IOException {
    if (datasets.existsByNameAndBuiltinTrue(builtin.name())) {
      return false;
    }
    upload(builtin.name(), file("trainImages", builtin.trainImages()), file("trainLabels", builtin.trainLabels()),
        builtin.testImages() == null ? null : file("testImages", builtin.testImages()),
        builtin.testLabels() == null ? null : file("testLabels", builtin.testLabels()), null, true);
    return true;
  }

  private static Part file(String name, java.nio.file.Path path) {
    return new Part() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public InputStream open() throws IOException {
        return java.nio.file.Files.newInputStream(path);
      }
    };
  }

  /** Deletes the dataset and its files, unless an unfinished job uses it. */
  void delete(UUID id) {
    Dataset dataset = find(id);
    if (dataset.builtin()) {
      throw ApiException.conflict("dataset " + id + " is built in (kddm.datasets.builtin); remove it from the"
          + " server's configuration instead");
    }
    if (datasets.deleteUnlessInUse(id) == 0) {
      throw ApiException.conflict("dataset " + id + " is used by " + datasets.unfinishedJobsUsing(id)
          + " unfinished job(s); cancel them or wait for them to end");
    }
    // The row is gone first: a failure here leaves files without a row, never a row without files.
    blobs.deleteFolder("datasets/" + dataset.id());
  }

  /** One stored file of the dataset, as uploaded. */
  ArtifactDownload file(UUID id, String part) throws IOException {
    Dataset d = find(id);
    String key = switch (part) {
      case "trainImages" -> d.trainImagesBlob();
      case "trainLabels" -> d.trainLabelsBlob();
      case "testImages" -> d.testImagesBlob();
      case "testLabels" -> d.testLabelsBlob();
      case "archive" -> d.archiveBlob();
      default -> null;
    };
    if (key == null) {
      throw ApiException.notFound("file " + part + " of dataset", id);
    }
    String extension = part.equals("archive") ? "npz".equals(d.format()) ? ".npz" : ".zip" : ".idx";
    String sha256 = d.digestOf(key).orElse(null);
    return new ArtifactDownload(blobs.resource(key), sha256 != null ? sha256 : blobs.sha256(key),
        d.name() + "-" + part + extension,
        org.springframework.http.MediaType.APPLICATION_OCTET_STREAM);
  }

  private Dataset find(UUID id) {
    return datasets.findById(id).orElseThrow(() -> ApiException.notFound("dataset", id));
  }

  private StoredBlob store(UUID id, Part part, List<StoredBlob> stored) throws IOException {
    try (InputStream in = part.open()) {
      StoredBlob blob = blobs.write("datasets/" + id + "/" + part.name() + ".idx", in);
      stored.add(blob);
      return blob;
    }
  }

  private LabelledImages read(String imagesKey, String labelsKey, String imagesPart, String labelsPart, String what)
      throws IOException {
    IdxFormat.Images images;
    try (InputStream in = blobs.open(imagesKey)) {
      images = IdxFormat.readImages(in, imagesPart);
    }
    int[] labels;
    try (InputStream in = blobs.open(labelsKey)) {
      labels = IdxFormat.readLabels(in, labelsPart);
    }
    return IdxFormat.pair(images, labels, what);
  }

  /** One digest for the whole dataset: SHA-256 over "part sha256" lines, in part order. */
  private static String combinedDigest(List<StoredBlob> stored) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (StoredBlob blob : stored) {
        String part = blob.key().substring(blob.key().lastIndexOf('/') + 1);
        digest.update((part + " " + blob.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
