package com.kddm.datasets;

import com.kddm.architectures.InputShape;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import com.kddm.training.Normalization;
import com.kddm.training.Split;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "datasets")
class Dataset {

  @Id private UUID id;
  private String name;
  private String format;
  private int trainSamples;
  private int testSamples;
  private int classes;
  private int channels;
  private int height;
  private int width;
  private String sha256;
  private long bytes;
  private String trainImagesBlob;
  private String trainLabelsBlob;
  private String testImagesBlob;
  private String testLabelsBlob;
  private String archiveBlob;
  private boolean builtin;
  private String classNames;
  private Double testFraction;
  private Long splitSeed;
  private String normalizationMean;
  private String normalizationStd;

  @Column(nullable = false)
  private Instant createdAt;

  private String fileDigests;

  protected Dataset() {}

  /** An IDX dataset: one blob per file. */
  Dataset(UUID id, String name, int trainSamples, int testSamples, int classes, InputShape shape,
      String sha256, long bytes, String trainImagesBlob, String trainLabelsBlob,
      String testImagesBlob, String testLabelsBlob, Instant createdAt) {
    this.id = id;
    this.name = name;
    this.format = "idx";
    this.trainSamples = trainSamples;
    this.testSamples = testSamples;
    this.classes = classes;
    this.channels = shape.channels();
    this.height = shape.height();
    this.width = shape.width();
    this.sha256 = sha256;
    this.bytes = bytes;
    this.trainImagesBlob = trainImagesBlob;
    this.trainLabelsBlob = trainLabelsBlob;
    this.testImagesBlob = testImagesBlob;
    this.testLabelsBlob = testLabelsBlob;
    this.createdAt = createdAt;
  }

  /** An npz dataset: one archive holding every part. */
  static Dataset npz(UUID id, String name, int trainSamples, int testSamples, int classes, InputShape shape,
      String sha256, long bytes, String archiveBlob, Instant createdAt) {
    Dataset d = new Dataset(id, name, trainSamples, testSamples, classes, shape, sha256, bytes, null, null, null, null,
        createdAt);
    d.format = "npz";
    d.archiveBlob = archiveBlob;
    return d;
  }

  /** An ImageFolder ZIP: the archive as uploaded, and its images converted to IDX files. */
  static Dataset imageFolder(UUID id, String name, int trainSamples, int testSamples, List<String> classNames,
      InputShape shape, String sha256, long bytes, String trainImagesBlob, String trainLabelsBlob,
      String testImagesBlob, String testLabelsBlob, String archiveBlob, Instant createdAt) {
    Dataset d = new Dataset(id, name, trainSamples, testSamples, classNames.size(), shape, sha256, bytes,
        trainImagesBlob, trainLabelsBlob, testImagesBlob, testLabelsBlob, createdAt);
    d.format = "imagefolder";
    d.archiveBlob = archiveBlob;
    // Folder names hold no control characters (SafeZip refuses them), so a line per name is unambiguous.
    d.classNames = String.join("\n", classNames);
    return d;
  }

  /** Records the test part drawn from the training part; the sample counts are those after the split. */
  Dataset withSplit(Split split) {
    if (split != null) {
      this.testFraction = split.fraction();
      this.splitSeed = split.seed();
    }
    return this;
  }

  /** Records the per-channel statistics of the training part. */
  Dataset withNormalization(Normalization normalization) {
    this.normalizationMean = normalization.isNone() ? null : Normalization.join(normalization.mean());
    this.normalizationStd = normalization.isNone() ? null : Normalization.join(normalization.std());
    return this;
  }

  /** Records the digest of every stored file, so that downloads need not read a file to name it. */
  Dataset withFileDigests(java.util.Collection<com.kddm.storage.StoredBlob> files) {
    StringBuilder lines = new StringBuilder();
    for (com.kddm.storage.StoredBlob file : files) {
      if (file != null) {
        lines.append(file.key()).append(' ').append(file.sha256()).append('\n');
      }
    }
    this.fileDigests = lines.toString();
    return this;
  }

  /** The recorded SHA-256 of the stored file {@code key}; empty for datasets stored before digests were. */
  java.util.Optional<String> digestOf(String key) {
    if (fileDigests == null) {
      return java.util.Optional.empty();
    }
    for (String line : fileDigests.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.substring(0, space).equals(key)) {
        return java.util.Optional.of(line.substring(space + 1));
      }
    }
    return java.util.Optional.empty();
  }

  /** Marks a dataset imported from the server's configuration. */
  Dataset asBuiltin() {
    this.builtin = true;
    return this;
  }

  boolean builtin() { return builtin; }
  UUID id() { return id; }
  String name() { return name; }
  String format() { return format; }
  int trainSamples() { return trainSamples; }
  int testSamples() { return testSamples; }
  int classes() { return classes; }
  InputShape shape() { return new InputShape(channels, height, width); }
  String sha256() { return sha256; }
  long bytes() { return bytes; }
  String trainImagesBlob() { return trainImagesBlob; }
  String trainLabelsBlob() { return trainLabelsBlob; }
  String testImagesBlob() { return testImagesBlob; }
  String testLabelsBlob() { return testLabelsBlob; }
  String archiveBlob() { return archiveBlob; }
  Instant createdAt() { return createdAt; }

  /** Class names of an ImageFolder dataset, by label; null for the other formats. */
  List<String> classNames() {
    return classNames == null ? null : List.of(classNames.split("\n", -1));
  }

  /** The test part drawn at upload, or null when the file's own parts are used. */
  Split split() {
    return testFraction == null ? null : new Split(testFraction, splitSeed);
  }

  /** The statistics measured at upload (or since), or null for a row from before they existed. */
  Normalization normalization() {
    if (normalizationMean == null) {
      return null;
    }
    return Normalization.of(Normalization.split(normalizationMean), Normalization.split(normalizationStd));
  }


}
