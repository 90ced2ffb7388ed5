package com.kddm.architectures;

import java.util.Locale;

/**
 * What a user names to get a network: the architecture and the width of its penultimate (feature)
 * layer, the layer that distribution matching compares. Some architectures fix that width (see
 * {@link Architecture#fixedFeatureSize()}); for them any other featureSize is refused.
 */
public record ArchitectureSpec(String name, int featureSize) {

  public static final int DEFAULT_FEATURE_SIZE = 128;

  public ArchitectureSpec {
    if (name == null) {
      throw new IllegalArgumentException("architecture name is required");
    }
    name = name.toLowerCase(Locale.ROOT);
    Architecture architecture = Architecture.named(name);
    if (featureSize < 2 || featureSize > 8192) {
      throw new IllegalArgumentException("featureSize must be between 2 and 8192, got " + featureSize);
    }
    architecture.checkFeatureSize(featureSize);
  }

  /**
   * The architecture with its natural feature width: the one it fixes (512 for the ResNets, 1280
   * for MobileNetV2), else {@link #DEFAULT_FEATURE_SIZE}.
   */
  public static ArchitectureSpec withDefaultFeatureSize(String name) {
    if (name == null) {
      throw new IllegalArgumentException("architecture name is required");
    }
    return new ArchitectureSpec(name, Architecture.named(name.toLowerCase(Locale.ROOT)).defaultFeatureSize());
  }

  public Architecture architecture() {
    return Architecture.named(name);
  }
}
