package com.kddm.distances;

import com.kddm.distances.DistanceParameters.Definition;
import java.util.List;
import java.util.Locale;

/**
 * How a Gaussian distance models each batch's spread. Diagonal is what the method's reference
 * code uses; full needs ε·I as soon as the batch is smaller than the feature width.
 */
enum Covariance {
  FULL,
  DIAGONAL;

  static Covariance of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  static Definition definition() {
    return Definition.choice("covariance", "full", List.of("full", "diagonal"),
        "full: d×d covariance; diagonal: per-feature variances only");
  }
}
