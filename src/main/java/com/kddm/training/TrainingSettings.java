package com.kddm.training;

import java.util.List;
import java.util.Locale;

/**
 * How the student is optimised: the full recipe, so that a job's stored settings reproduce it.
 *
 * @param optimizer adam or sgd (with {@code momentum})
 * @param weightDecay L2 penalty added to every gradient
 * @param schedule constant, cosine (from learningRate down to finalLearningRate over all steps) or
 *     step (learningRate × stepGamma every stepEpochs epochs)
 * @param augmentation none, crop (random crop after zero padding of cropPadding pixels), flip
 *     (horizontal, probability ½) or crop-flip
 */
public record TrainingSettings(
    int epochs,
    int batchSize,
    float learningRate,
    String optimizer,
    float momentum,
    float weightDecay,
    String schedule,
    float finalLearningRate,
    int stepEpochs,
    float stepGamma,
    String augmentation,
    int cropPadding,
    long seed,
    double validationFraction) {

  public static final List<String> OPTIMIZERS = List.of("adam", "sgd");
  public static final List<String> SCHEDULES = List.of("constant", "cosine", "step");
  public static final List<String> AUGMENTATIONS = List.of("none", "crop", "flip", "crop-flip");

  public TrainingSettings {
    require(epochs >= 1, "epochs must be at least 1");
    require(batchSize >= 2, "batchSize must be at least 2");
    require(learningRate > 0 && Float.isFinite(learningRate), "learningRate must be positive");
    optimizer = oneOf("optimizer", optimizer, OPTIMIZERS);
    require(momentum >= 0 && momentum < 1, "momentum must lie in [0, 1)");
    require(weightDecay >= 0 && Float.isFinite(weightDecay), "weightDecay must be >= 0");
    schedule = oneOf("schedule", schedule, SCHEDULES);
    require(finalLearningRate >= 0 && finalLearningRate <= learningRate, "finalLearningRate must lie in [0, learningRate]");
    require(stepEpochs >= 1, "stepEpochs must be at least 1");
    require(stepGamma > 0 && stepGamma <= 1, "stepGamma must lie in (0, 1]");
    augmentation = oneOf("augmentation", augmentation, AUGMENTATIONS);
    require(cropPadding >= 0 && cropPadding <= 64, "cropPadding must lie in [0, 64]");
    require(validationFraction > 0 && validationFraction < 1, "validationFraction must lie in (0, 1)");
  }

  /** Adam at a constant rate, no augmentation: the quick recipe most tests use. */
  public TrainingSettings(int epochs, int batchSize, float learningRate, String optimizer, long seed, double validationFraction) {
    this(epochs, batchSize, learningRate, optimizer, 0.9f, 0f, "constant", learningRate, 1, 1f, "none", 4, seed,
        validationFraction);
  }

  boolean crops() {
    return augmentation.equals("crop") || augmentation.equals("crop-flip");
  }

  boolean flips() {
    return augmentation.equals("flip") || augmentation.equals("crop-flip");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String oneOf(String name, String value, List<String> allowed) {
    String normalised = value == null ? null : value.toLowerCase(Locale.ROOT);
    require(allowed.contains(normalised), name + " must be one of " + allowed + ", got " + value);
    return normalised;
  }
}
