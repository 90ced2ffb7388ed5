package com.kddm.teachers;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public record TeacherResponse(
    UUID id,
    String name,
    String architecture,
    int featureSize,
    List<Integer> inputShape,
    int classes,
    String source,
    String format,
    UUID sourceJobId,
    String sha256,
    long bytes,
    InputNormalization inputNormalization,
    Instant createdAt) {

  /** Per-channel statistics the teacher's [0, 1] inputs are normalised with; null for none. */
  public record InputNormalization(List<Float> mean, List<Float> std) {}

  static TeacherResponse of(Teacher t) {
    return new TeacherResponse(t.id(), t.name(), t.architecture(), t.featureSize(), t.shape().asList(), t.classes(),
        t.source().name(), t.format().name(), t.sourceJobId(), t.sha256(), t.bytes(),
        t.inputNormalization().isNone() ? null
            : new InputNormalization(t.inputNormalization().meanList(), t.inputNormalization().stdList()),
        t.createdAt());
  }
}
