package com.kddm.training;

import com.kddm.architectures.ArchitectureSpec;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a student archive: everything needed to rebuild the network before
 * its parameters are loaded, how inputs must be prepared, and where the weights came from.
 * {@code inputNormalization} is absent for networks trained on inputs scaled to [0, 1] only.
 */
public record ArchiveManifest(
    String format,
    int formatVersion,
    ArchitectureSpec architecture,
    List<Integer> inputShape,
    int classes,
    String preprocessing,
    InputNormalization inputNormalization,
    List<String> outputs,
    Evaluation evaluation,
    Map<String, String> provenance) {

  public static final String FORMAT = "kddm-student";
  public static final int VERSION = 1;
  public static final List<String> OUTPUTS = List.of("features", "logits");

  /** Per-channel mean and standard deviation, in units of pixel / 255. */
  public record InputNormalization(List<Float> mean, List<Float> std) {

    static InputNormalization of(Normalization normalization) {
      return normalization.isNone() ? null : new InputNormalization(normalization.meanList(), normalization.stdList());
    }

    Normalization toNormalization() {
      return Normalization.of(mean, std);
    }
  }
}
