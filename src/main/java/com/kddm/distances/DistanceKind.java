package com.kddm.distances;

import com.kddm.distances.DistanceParameters.Definition;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The distances a job can ask for, by the name the API uses, with the parameters each accepts.
 * {@code GET /v1/distances} lists exactly this catalog.
 */
public enum DistanceKind {
  W2("w2", "empirical squared 2-Wasserstein distance, exact optimal transport on each batch",
      List.of(), p -> new EmpiricalWasserstein()),
  GAUSSIAN_W2("gaussian-w2", "squared 2-Wasserstein distance between Gaussians fitted to each batch (Bures formula)",
      List.of(Covariance.definition(), epsilon(1e-6)),
      p -> new GaussianWasserstein(Covariance.of(p.choice("covariance")), p.number("epsilon"))),
  CLASS_GAUSSIAN_W2("class-gaussian-w2",
      "Gaussian squared 2-Wasserstein distance per ground-truth class in the batch, weighted over classes",
      List.of(Covariance.definition(), epsilon(1e-6), ClassGaussianWasserstein.Weighting.definition()),
      p -> new ClassGaussianWasserstein(Covariance.of(p.choice("covariance")), p.number("epsilon"),
          ClassGaussianWasserstein.Weighting.of(p.choice("classWeighting")))),
  GAUSSIAN_KL("gaussian-kl", "Kullback-Leibler divergence between Gaussians fitted to each batch",
      List.of(Covariance.definition(), epsilon(1e-4), GaussianKl.Direction.definition()),
      p -> new GaussianKl(Covariance.of(p.choice("covariance")), p.number("epsilon"),
          GaussianKl.Direction.of(p.choice("direction"))));

  private final String id;
  private final String description;
  private final List<Definition> parameters;
  private final Function<DistanceParameters, FeatureDistance> factory;

  DistanceKind(String id, String description, List<Definition> parameters,
      Function<DistanceParameters, FeatureDistance> factory) {
    this.id = id;
    this.description = description;
    this.parameters = parameters;
    this.factory = factory;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public List<Definition> parameters() {
    return parameters;
  }

  /** Checks and completes the given parameters; see {@link DistanceParameters#resolve}. */
  public DistanceParameters resolve(Map<String, ?> given) {
    return DistanceParameters.resolve(parameters, given);
  }

  public FeatureDistance create(Map<String, ?> given) {
    return factory.apply(resolve(given));
  }

  public static DistanceKind named(String id) {
    return Arrays.stream(values())
        .filter(k -> k.id.equalsIgnoreCase(id))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("unknown distance '" + id + "', expected one of " + ids()));
  }

  private static Definition epsilon(double defaultValue) {
    return Definition.number("epsilon", defaultValue, 0, 1,
        "added to every variance: a batch smaller than the feature width, or a unit that never fires, "
            + "has a singular covariance");
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(DistanceKind::id).toList();
  }
}
