package com.kddm.datasets;

import com.kddm.training.Normalization;
import com.kddm.training.Split;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the API tells about a dataset. {@code sha256} covers all of its files (see the README);
 * sample counts are those after a drawn split; {@code classNames} is null but for ImageFolder
 * datasets; {@code split} is null when the file's own parts are used; {@code normalization} is null
 * only for a dataset from before statistics were measured, until they are.
 */
public record DatasetResponse(
    UUID id,
    String name,
    String format,
    int trainSamples,
    int testSamples,
    int classes,
    List<String> classNames,
    List<Integer> inputShape,
    DatasetSplit split,
    DatasetNormalization normalization,
    String sha256,
    long bytes,
    boolean builtin,
    Instant createdAt) {

  /** A test part drawn from the file's training part. */
  public record DatasetSplit(double testFraction, long seed) {}

  /** Per-channel statistics of the training part, in [0, 1] pixel units; training normalises with them. */
  public record DatasetNormalization(List<Float> mean, List<Float> std) {}

  static DatasetResponse of(Dataset d) {
    Split split = d.split();
    Normalization n = d.normalization();
    return new DatasetResponse(d.id(), d.name(), d.format(), d.trainSamples(), d.testSamples(), d.classes(),
        d.classNames(), d.shape().asList(), split == null ? null : new DatasetSplit(split.fraction(), split.seed()),
        n == null ? null : new DatasetNormalization(n.meanList(), n.stdList()), d.sha256(), d.bytes(), d.builtin(),
        d.createdAt());
  }
}
