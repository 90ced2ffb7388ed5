package com.kddm.distances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Gaussian distances are in the catalog, with their defaults, and refuse bad parameters. */
class GaussianParametersTest {

  @Test
  void theCatalogOffersTheGaussianDistancesBesideW2() {
    assertThat(DistanceKind.ids()).contains("w2", "gaussian-w2", "class-gaussian-w2", "gaussian-kl");
  }

  @Test
  void defaultsAreFullCovarianceAndASmallerEpsilonForW2ThanForKl() {
    assertThat(DistanceKind.named("gaussian-w2").resolve(Map.of()).asMap())
        .isEqualTo(Map.of("covariance", "full", "epsilon", 1e-6));
    assertThat(DistanceKind.named("class-gaussian-w2").resolve(Map.of()).asMap())
        .isEqualTo(Map.of("covariance", "full", "epsilon", 1e-6, "classWeighting", "proportional"));
    assertThat(DistanceKind.named("gaussian-kl").resolve(Map.of()).asMap())
        .isEqualTo(Map.of("covariance", "full", "epsilon", 1e-4, "direction", "student-teacher"));
  }

  @Test
  void gaussianW2RefusesAnEpsilonAboveOne() {
    assertThatThrownBy(() -> DistanceKind.named("gaussian-w2").create(Map.of("epsilon", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epsilon");
  }

  @Test
  void classGaussianW2RefusesAnUnknownParameterName() {
    assertThatThrownBy(() -> DistanceKind.named("class-gaussian-w2").create(Map.of("weighting", "uniform")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weighting");
  }

  @Test
  void gaussianKlRefusesAnUnknownDirection() {
    assertThatThrownBy(() -> DistanceKind.named("gaussian-kl").create(Map.of("direction", "sideways")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("direction");
  }
}
