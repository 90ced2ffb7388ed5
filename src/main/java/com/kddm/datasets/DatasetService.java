package com.kddm.datasets;

import com.kddm.architectures.InputShape;
import com.kddm.storage.ArtifactDownload;
import com.kddm.storage.BlobStore;
import com.kddm.storage.StoredBlob;
import com.kddm.system.ApiException;
import com.kddm.training.IdxFormat;
import com.kddm.training.InvalidDataException;
import com.kddm.training.LabelledImages;
import com.kddm.training.NpzFormat;
import com.kddm.training.Normalization;
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

  private final DatasetRepository datasets;
  private final BlobStore blobs;
  private final Clock clock;

  DatasetService(DatasetRepository datasets, BlobStore blobs, Clock clock) {
    this.datasets = datasets;
    this.blobs = blobs;
    this.clock = clock;
  }

  /**
   * Stores the parts, then reads them back and validates them; the row is written only when
   * everything is usable, and a refused upload leaves no file behind.
   */
  DatasetResponse upload(String name, Part trainImages, Part trainLabels, Part testImages, Part testLabels)
      throws IOException {
    return upload(name, trainImages, trainLabels, testImages, testLabels, false);
  }

  private DatasetResponse upload(String name, Part trainImages, Part trainLabels, Part testImages, Part testLabels,
      boolean builtin) throws IOException {
    if ((testImages == null) != (testLabels == null)) {
      throw ApiException.badField(testImages == null ? "testImages" : "testLabels",
          "testImages and testLabels go together: upload both or neither");
    }
    UUID id = UUID.randomUUID();
    List<StoredBlob> stored = new ArrayList<>();
    try {
      StoredBlob trainImagesBlob = store(id, trainImages, stored);
      StoredBlob trainLabelsBlob = store(id, trainLabels, stored);
      StoredBlob testImagesBlob = testImages == null ? null : store(id, testImages, stored);
      StoredBlob testLabelsBlob = testLabels == null ? null : store(id, testLabels, stored);
      // Scanned, not loaded: an upload of any size is validated in a small heap.
      PartSummary train = scan(trainImagesBlob.key(), trainLabelsBlob.key(), "trainImages", "trainLabels", "training part");
      PartSummary test =
          testImages == null ? null : scan(testImagesBlob.key(), testLabelsBlob.key(), "testImages", "testLabels", "test part");
      int classes = check(train, test, "trainLabels", "testImages", "testLabels");
      Dataset dataset =
          new Dataset(id, name == null || name.isBlank() ? "dataset-" + id : name.strip(), train.size(),
              test == null ? 0 : test.size(), classes, train.shape(), combinedDigest(stored),
              stored.stream().mapToLong(StoredBlob::bytes).sum(), trainImagesBlob.key(), trainLabelsBlob.key(),
              testImagesBlob == null ? null : testImagesBlob.key(), testLabelsBlob == null ? null : testLabelsBlob.key(),
              clock.instant().truncatedTo(ChronoUnit.MICROS));
      return DatasetResponse.of(datasets.save(builtin ? dataset.asBuiltin() : dataset));
    } catch (IOException | RuntimeException e) {
      stored.forEach(blob -> blobs.delete(blob.key()));
      throw e;
    }
  }

  /**
   * Stores a NumPy .npz archive (arrays x, y, optional x_test, y_test; see {@link NpzFormat}), then
   * reads it back and validates it; a refused upload leaves no row and no file behind.
   */
  DatasetResponse uploadNpz(String name, Part file) throws IOException {
    UUID id = UUID.randomUUID();
    StoredBlob blob = null;
    try {
      try (InputStream in = file.open()) {
        blob = blobs.write("datasets/" + id + "/dataset.npz", in);
      }
      NpzFormat.Content content;
      try (InputStream in = blobs.open(blob.key())) {
        content = NpzFormat.read(in);
      }
      int classes = check(content.train(), content.test(), "y", "x_test", "y_test");
      Dataset dataset = Dataset.npz(id, name == null || name.isBlank() ? "dataset-" + id : name.strip(),
          content.train().size(), content.test() == null ? 0 : content.test().size(), classes, content.train().shape(),
          blob.sha256(), blob.bytes(), blob.key(), clock.instant().truncatedTo(ChronoUnit.MICROS));
      return DatasetResponse.of(datasets.save(dataset));
    } catch (IOException | RuntimeException e) {
      if (blob != null) {
        blobs.delete(blob.key());
      }
      throw e;
    }
  }

  /** Refuses parts that cannot train or evaluate a classifier; returns the number of classes. */
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
    if ("npz".equals(d.format())) {
      try (InputStream in = blobs.open(d.archiveBlob())) {
        NpzFormat.Content content = NpzFormat.read(in);
        return new DatasetContent(content.train(), content.test(), Normalization.of(content.train()));
      }
    }
    LabelledImages train = read(d.trainImagesBlob(), d.trainLabelsBlob(), "trainImages", "trainLabels", "training part");
    LabelledImages test =
        d.testImagesBlob() == null ? null : read(d.testImagesBlob(), d.testLabelsBlob(), "testImages", "testLabels", "test part");
    return new DatasetContent(train, test, Normalization.of(train));
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
        builtin.testLabels() == null ? null : file("testLabels", builtin.testLabels()), true);
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
    String extension = part.equals("archive") ? ".npz" : ".idx";
    return new ArtifactDownload(blobs.resource(key), blobs.sha256(key), d.name() + "-" + part + extension,
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
