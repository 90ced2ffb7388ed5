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
  W2("w2", "empirical squared 2-Wasserstein distance on each batch: exact optimal transport, or entropic (Sinkhorn)",
      List.of(
          Definition.choice("solver", "exact", List.of("exact", "sinkhorn"),
              "exact: optimal plan by linear assignment; sinkhorn: entropic plan by log-domain Sinkhorn iterations on "
                  + "the device, for large batches"),
          Definition.number("epsilon", 0.05, 1e-4, 10,
              "sinkhorn only: entropic regularisation, relative to the batch's largest squared distance (the cost "
                  + "is divided by its detached maximum before the solve)"),
          Definition.number("iterations", 200, 1, 10_000, "sinkhorn only: number of Sinkhorn iterations, a whole number")),
      p -> p.choice("solver").equals("sinkhorn")
          ? new SinkhornWasserstein(p.number("epsilon"), wholeNumber(p, "iterations"))
          : new EmpiricalWasserstein()),
  CLASS_W2("class-w2", "class-conditional empirical W2: exact W2 between student and teacher features of each "
          + "ground-truth class in the batch, summed with class weights",
      List.of(Definition.choice("classWeighting", "proportional", List.of("proportional", "uniform"),
          "proportional: w_c = n_c / n; uniform: w_c = 1 (the method's reference code)")),
      p -> new ClassConditionalWasserstein(ClassConditionalWasserstein.Weighting.named(p.choice("classWeighting")))),
  JOINT_W2("joint-w2", "joint empirical W2 over features and predicted labels: exact optimal transport with cost "
          + "‖zS − zT‖²/κ + β·d_Y(logits)",
      List.of(
          Definition.number("beta", 1, 0, 1e6, "weight β of the label term; κ is the batch's largest feature cost"),
          Definition.choice("labelCost", "logits", List.of("logits", "probabilities", "cross-entropy"),
              "d_Y: squared Euclidean between logits or between softmax probabilities, or the cross-entropy "
                  + "−Σ softmax(teacher) log softmax(student)")),
      p -> new JointWasserstein(p.number("beta"), JointWasserstein.LabelCost.named(p.choice("labelCost")))),
  MMD("mmd", "squared maximum mean discrepancy between student and teacher features (biased V-statistic)",
      List.of(
          Definition.choice("kernel", "gaussian", List.of("linear", "polynomial", "gaussian"),
              "linear: xᵀy; polynomial: (xᵀy + offset)^degree (neuron selectivity transfer); gaussian: "
                  + "exp(−‖x−y‖²/(2σ²))"),
          Definition.number("degree", 2, 1, 10, "polynomial only: the degree, a whole number"),
          Definition.number("offset", 0, 0, 1e6, "polynomial only: the offset c"),
          Definition.choice("bandwidth", "median", List.of("median", "mean"),
              "gaussian only: σ² is the median or mean squared distance between distinct points of the pooled batch "
                  + "(detached)")),
      p -> new MaximumMeanDiscrepancy(
          MaximumMeanDiscrepancy.Kernel.named(p.choice("kernel")),
          wholeNumber(p, "degree"),
          p.number("offset"),
          MaximumMeanDiscrepancy.Bandwidth.named(p.choice("bandwidth")))),
  HINTON_KD("hinton-kd", "Hinton's knowledge distillation on logits: T²·KL(softmax(teacher/T) ‖ softmax(student/T)), "
          + "batch mean",
      List.of(Definition.number("temperature", 4, 0.1, 100, "the softmax temperature T")),
      p -> new HintonDistillation(p.number("temperature"))),
  PAIRED_L2("paired-l2", "paired feature gap mean ‖zS_i − zT_i‖² (FitNets-style hint loss), the quantity in the "
          + "method's theorem",
      List.of(), p -> new PairedFeatureGap()),
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

  /**
   * Checks and completes the given parameters; see {@link DistanceParameters#resolve}. The
   * distance is also built once (cheap: no arrays), so what a range cannot say, such as a whole
   * number, is refused here too, when a job is submitted rather than when it trains.
   */
  public DistanceParameters resolve(Map<String, ?> given) {
    DistanceParameters resolved = DistanceParameters.resolve(parameters, given);
    factory.apply(resolved);
    return resolved;
  }

  public FeatureDistance create(Map<String, ?> given) {
    return factory.apply(DistanceParameters.resolve(parameters, given));
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

  private static int wholeNumber(DistanceParameters p, String name) {
    double value = p.number(name);
    if (value != Math.rint(value)) {
      throw new IllegalArgumentException("parameter '" + name + "' must be a whole number, got " + value);
    }
    return (int) value;
  }
}
