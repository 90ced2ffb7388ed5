package com.kddm.architectures;

import java.util.Locale;

/**
 * What a user names to get a network: the architecture and the width of its penultimate (feature)
 * layer, the layer that distribution matching compares.
 */
public record ArchitectureSpec(String name, int featureSize) {

  public static final int DEFAULT_FEATURE_SIZE = 128;

  public ArchitectureSpec {
    if (name == null) {
      throw new IllegalArgumentException("architecture name is required");
    }
    name = name.toLowerCase(Locale.ROOT);
    Architecture.named(name);
    if (featureSize < 2 || featureSize > 8192) {
      throw new IllegalArgumentException("featureSize must be between 2 and 8192, got " + featureSize);
    }
  }

  public Architecture architecture() {
    return Architecture.named(name);
  }
}
