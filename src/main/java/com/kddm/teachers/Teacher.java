package com.kddm.teachers;

import com.kddm.architectures.InputShape;
import com.kddm.training.Normalization;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "teachers")
class Teacher {

  enum Source { JOB, UPLOAD }

  @Id private UUID id;
  private String name;
  private String architecture;
  private int featureSize;
  private int channels;
  private int height;
  private int width;
  private int classes;

  @Enumerated(EnumType.STRING)
  private Source source;

  @Enumerated(EnumType.STRING)
  private TeacherFormat format;

  private UUID sourceJobId;
  private String blobKey;
  private String sha256;
  private long bytes;
  private Instant createdAt;
  private float[] inputMean;
  private float[] inputStd;

  protected Teacher() {}

  Teacher(UUID id, String name, String architecture, int featureSize, InputShape shape, int classes,
      Source source, TeacherFormat format, UUID sourceJobId, String blobKey, String sha256, long bytes, Instant createdAt) {
    this.format = format;
    this.id = id;
    this.name = name;
    this.architecture = architecture;
    this.featureSize = featureSize;
    this.channels = shape.channels();
    this.height = shape.height();
    this.width = shape.width();
    this.classes = classes;
    this.source = source;
    this.sourceJobId = sourceJobId;
    this.blobKey = blobKey;
    this.sha256 = sha256;
    this.bytes = bytes;
    this.createdAt = createdAt;
  }

  /** Records how the teacher normalises its [0, 1] inputs. */
  Teacher normalizingInputsWith(Normalization normalization) {
    this.inputMean = normalization.isNone() ? null : normalization.mean();
    this.inputStd = normalization.isNone() ? null : normalization.std();
    return this;
  }

  Normalization inputNormalization() {
    return inputMean == null ? Normalization.NONE : new Normalization(inputMean, inputStd);
  }

  UUID id() { return id; }
  String name() { return name; }
  String architecture() { return architecture; }
  int featureSize() { return featureSize; }
  InputShape shape() { return new InputShape(channels, height, width); }
  int classes() { return classes; }
  Source source() { return source; }
  TeacherFormat format() { return format; }
  UUID sourceJobId() { return sourceJobId; }
  String blobKey() { return blobKey; }
  String sha256() { return sha256; }
  long bytes() { return bytes; }
  Instant createdAt() { return createdAt; }
}
