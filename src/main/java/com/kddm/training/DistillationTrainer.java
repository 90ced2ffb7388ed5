package com.kddm.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.kddm.architectures.NetworkOutput;
import com.kddm.distances.FeatureBatch;
import com.kddm.distances.FeatureDistance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains a student with the KDDM objective {@code CE(student logits, y) + λ·D(student features,
 * teacher features)} on each batch, or with cross-entropy alone when there is no teacher.
 *
 * <p>One run at a time per JVM: DJL's PyTorch engine allows a single gradient collector.
 */
public final class DistillationTrainer {

  /** What a finished run hands back; the caller owns and closes the student. */
  public record Outcome(
      Network student, List<EpochMetrics> history, Evaluation evaluation, Evaluation teacherEvaluation)
      implements AutoCloseable {
    @Override
    public void close() {
      student.close();
    }
  }

  public Outcome train(TrainingPlan plan, TrainingListener listener) {
    TrainingSettings settings = plan.settings();
    Split split = Split.of(plan.data(), settings.validationFraction(), settings.seed());
    LabelledImages evaluationSet = plan.test() != null ? plan.test() : split.validation();
    String evaluationSplit = plan.test() != null ? "test" : "validation";
    int classes = plan.classes();
    int batchSize = settings.batchSize();
    int stepsPerEpoch = (split.fit().size() + batchSize - 1) / batchSize;
    long totalSteps = (long) stepsPerEpoch * settings.epochs();
    FeatureDistance distance = plan.distillation() == null ? null : plan.distillation().distance().create(plan.distillation().parameters());
    float lambda = plan.distillation() == null ? 0f : plan.distillation().lambda();

    Evaluation teacherEvaluation =
        plan.teacher() == null ? null : plan.teacher().evaluate(evaluationSet, evaluationSplit, batchSize);

    // The same seed gives the same initial student whatever the teacher and distance are.
    Engine.getInstance().setRandomSeed((int) settings.seed());
    Network student = Network.untrained(plan.student(), plan.data().shape(), classes);
    List<EpochMetrics> history = new ArrayList<>();
    try (Trainer trainer = student.model().newTrainer(trainingConfig(settings))) {
      trainer.initialize(plan.data().shape().batchOf(batchSize));
      long step = 0;
      for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
        long started = System.nanoTime();
        int[] order = shuffled(split.fit().size(), new Random(settings.seed() * 7919 + epoch));
        double ceSum = 0;
        double distillationSum = 0;
        double lossSum = 0;
        for (int from = 0; from < order.length; from += batchSize) {
          if (listener.shouldStop()) {
            throw new TrainingStoppedException("stopped at epoch " + epoch + ", step " + step);
          }
          int to = Math.min(order.length, from + batchSize);
          StepLosses losses =
              step(trainer, split.fit(), order, from, to, classes, plan.teacher(), distance, lambda);
          if (!Double.isFinite(losses.total())) {
            throw new TrainingDivergedException(
                "the loss became " + losses.total() + " at epoch " + epoch + ", step " + (step + 1)
                    + "; lower the learning rate or lambda");
          }
          ceSum += losses.crossEntropy() * (to - from);
          distillationSum += losses.distillation() * (to - from);
          lossSum += losses.total() * (to - from);
          step++;
          listener.onStep(epoch, step, totalSteps);
        }
        Evaluation validation = student.evaluate(split.validation(), "validation", batchSize);
        int n = order.length;
        EpochMetrics metrics =
            new EpochMetrics(
                epoch,
                ceSum / n,
                distance == null ? null : distillationSum / n,
                lossSum / n,
                validation.crossEntropy(),
                validation.accuracy(),
                (System.nanoTime() - started) / 1e9);
        history.add(metrics);
        listener.onEpoch(metrics);
      }
      Evaluation evaluation = student.evaluate(evaluationSet, evaluationSplit, batchSize);
      return new Outcome(student, history, evaluation, teacherEvaluation);
    } catch (RuntimeException e) {
      student.close();
      throw e;
    }
  }

  private record StepLosses(double crossEntropy, double distillation, double total) {}

  private static StepLosses step(
      Trainer trainer,
      LabelledImages data,
      int[] order,
      int from,
      int to,
      int classes,
      Network teacher,
      FeatureDistance distance,
      float lambda) {
    // Every intermediate of the step lives in this sub-manager and is freed with it.
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray x = batch.create(data.scaledPixels(order, from, to), data.shape().batchOf(to - from));
      NDArray y = batch.create(data.labels(order, from, to));
      // The frozen teacher answers inference tensors; a clone can take part in autograd.
      NetworkOutput teacherOut = teacher == null ? null : teacher.infer(x);
      NDArray teacherFeatures = teacherOut == null ? null : teacherOut.features().duplicate();
      NDArray teacherLogits = teacherOut == null ? null : teacherOut.logits().duplicate();
      StepLosses losses;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NetworkOutput out = NetworkOutput.of(trainer.forward(new NDList(x)));
        NDArray crossEntropy = Objectives.crossEntropy(out.logits(), y, classes);
        NDArray loss = crossEntropy;
        NDArray distillation = null;
        if (distance != null) {
          distillation =
              distance.between(new FeatureBatch(out.features(), teacherFeatures, y, out.logits(), teacherLogits));
          loss = crossEntropy.add(distillation.mul(lambda));
        }
        losses =
            new StepLosses(
                crossEntropy.getFloat(),
                distillation == null ? 0 : distillation.getFloat(),
                loss.getFloat());
        if (!Double.isFinite(losses.total())) {
          return losses;
        }
        collector.backward(loss);
      }
      trainer.step();
      return losses;
    }
  }

  private static DefaultTrainingConfig trainingConfig(TrainingSettings settings) {
    Tracker rate = Tracker.fixed(settings.learningRate());
    Optimizer optimizer =
        switch (settings.optimizer()) {
          case "sgd" -> Optimizer.sgd().setLearningRateTracker(rate).optMomentum(0.9f).build();
          default -> Optimizer.adam().optLearningRateTracker(rate).build();
        };
    // The loss named here is not used by the step, which builds the KDDM objective itself.
    return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer);
  }

  static int[] shuffled(int n, Random random) {
    int[] order = IntStream.range(0, n).toArray();
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The fit and validation parts of the training data, drawn once with the seed. */
  record Split(LabelledImages fit, LabelledImages validation) {
    static Split of(LabelledImages data, double validationFraction, long seed) {
      int n = data.size();
      int validationSize = (int) Math.max(1, Math.round(n * validationFraction));
      if (n - validationSize < 1) {
        throw new InvalidDataException(
            "the dataset has " + n + " training samples: too few to hold out " + validationSize + " for validation");
      }
      int[] order = shuffled(n, new Random(seed));
      return new Split(
          data.subset(java.util.Arrays.copyOfRange(order, validationSize, n)),
          data.subset(java.util.Arrays.copyOfRange(order, 0, validationSize)));
    }
  }
}
