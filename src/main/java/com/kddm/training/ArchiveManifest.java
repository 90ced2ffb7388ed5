package com.kddm.training;

import com.kddm.architectures.ArchitectureSpec;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a student archive: everything needed to rebuild the network before
 * its parameters are loaded, how inputs must be prepared, and where the weights came from.
 */
public record ArchiveManifest(
    String format,
    int formatVersion,
    ArchitectureSpec architecture,
    List<Integer> inputShape,
    int classes,
    String preprocessing,
    List<String> outputs,
    Evaluation evaluation,
    Map<String, String> provenance) {

  public static final String FORMAT = "kddm-student";
  public static final int VERSION = 1;
  public static final String PREPROCESSING = "float32 = uint8 pixel / 255, channels first (N, C, H, W)";
  public static final List<String> OUTPUTS = List.of("features", "logits");
}
