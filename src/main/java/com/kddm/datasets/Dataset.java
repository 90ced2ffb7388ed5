package com.kddm.datasets;

import com.kddm.architectures.InputShape;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
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

  @Column(nullable = false)
  private Instant createdAt;

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
}
