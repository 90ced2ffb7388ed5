package com.kddm.datasets;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the API tells about a dataset. {@code sha256} covers all of its files (see the README). */
public record DatasetResponse(
    UUID id,
    String name,
    String format,
    int trainSamples,
    int testSamples,
    int classes,
    List<Integer> inputShape,
    String sha256,
    long bytes,
    boolean builtin,
    Instant createdAt) {

  static DatasetResponse of(Dataset d) {
    return new DatasetResponse(d.id(), d.name(), d.format(), d.trainSamples(), d.testSamples(), d.classes(),
        d.shape().asList(), d.sha256(), d.bytes(), d.builtin(), d.createdAt());
  }
}
