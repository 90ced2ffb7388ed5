package com.kddm.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import com.kddm.distances.EmpiricalWasserstein;
import com.kddm.distances.FeatureBatch;
import com.kddm.distances.FeatureDistance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains a student with the KDDM objective {@code CE(student logits, y) + λ·D(student features,
 * teacher features)} on each batch, or with cross-entropy alone when there is no teacher. When the
 * feature widths differ, a linear projector maps the student's features into the teacher's space;
 * it is trained with the student and left out of the exported network.
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
    int stepsPerEpoch = batchEnds(split.fit().size(), batchSize).length;
    long totalSteps = (long) stepsPerEpoch * settings.epochs();
    TeacherModel teacher = plan.teacher();
    FeatureDistance distance =
        plan.distillation() == null ? null : plan.distillation().distance().create(plan.distillation().parameters());
    float lambda = plan.distillation() == null ? 0f : plan.distillation().lambda();
    LearningRateSchedule schedule = new LearningRateSchedule(settings, stepsPerEpoch);

    Evaluation teacherEvaluation = teacher == null ? null : teacher.evaluate(evaluationSet, evaluationSplit, batchSize);

    // The same seed gives the same initial student whatever the teacher and distance are.
    Engine.getInstance().setRandomSeed((int) settings.seed());
    Block student = plan.student().architecture().build(plan.data().shape(), plan.student().featureSize(), classes);
    Block projector =
        teacher == null || teacher.featureSize() == plan.student().featureSize()
            ? null
            : Linear.builder().setUnits(teacher.featureSize()).optBias(false).build();
    DistillationBlock network = new DistillationBlock(student, projector);
    List<EpochMetrics> history = new ArrayList<>();
    try (Model model = Model.newInstance("training");
        Trainer trainer = newTrainer(model, network, settings, schedule)) {
      trainer.initialize(plan.data().shape().batchOf(batchSize));
      Random augmentation = new Random(settings.seed() ^ 0x5DEECE66DL);
      long step = 0;
      for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
        long started = System.nanoTime();
        int[] order = shuffled(split.fit().size(), new Random(settings.seed() * 7919 + epoch));
        double ceSum = 0;
        double distillationSum = 0;
        double lossSum = 0;
        int from = 0;
        for (int to : batchEnds(order.length, batchSize)) {
          if (listener.shouldStop()) {
            throw new TrainingStoppedException("stopped at epoch " + epoch + ", step " + step);
          }
          float[] pixels = split.fit().scaledPixels(order, from, to);
          Augmentation.apply(pixels, to - from, plan.data().shape(), settings, augmentation);
          int[] labels = split.fit().labels(order, from, to);
          StepLosses losses = step(trainer, pixels, labels, plan, classes, distance, lambda);
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
          from = to;
        }
        int n = order.length;
        EpochMetrics metrics =
            validate(trainer.getManager(), network, teacher, split.validation(), classes, batchSize)
                .toMetrics(epoch, ceSum / n, distance == null ? null : distillationSum / n, lossSum / n,
                    schedule.at(step - 1), (System.nanoTime() - started) / 1e9);
        history.add(metrics);
        listener.onEpoch(metrics);
      }
      // The exported copy is what users download; its evaluation is the one the job reports.
      Network exported = Network.copyOf(student, plan.student(), plan.data().shape(), classes);
      try {
        return new Outcome(exported, history, exported.evaluate(evaluationSet, evaluationSplit, batchSize), teacherEvaluation);
      } catch (RuntimeException e) {
        exported.close();
        throw e;
      }
    }
  }

  private record StepLosses(double crossEntropy, double distillation, double total) {}

  private static StepLosses step(
      Trainer trainer, float[] pixels, int[] labels, TrainingPlan plan, int classes, FeatureDistance distance,
      float lambda) {
    // Every intermediate of the step lives in this sub-manager and is freed with it.
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray x = batch.create(pixels, plan.data().shape().batchOf(labels.length));
      NDArray y = batch.create(labels);
      NDArray teacherFeatures = null;
      NDArray teacherLogits = null;
      if (distance != null) {
        // The frozen teacher answers inference tensors; clones can take part in autograd.
        var teacherOut = plan.teacher().infer(x);
        teacherFeatures = teacherOut.features().duplicate();
        teacherLogits = teacherOut.logits().duplicate();
      }
      StepLosses losses;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList out = trainer.forward(new NDList(x));
        NDArray crossEntropy = Objectives.crossEntropy(out.get(1), y, classes);
        NDArray loss = crossEntropy;
        NDArray distillation = null;
        if (distance != null) {
          distillation = distance.between(new FeatureBatch(out.get(2), teacherFeatures, y, out.get(1), teacherLogits));
          loss = crossEntropy.add(distillation.mul(lambda));
        }
        losses = new StepLosses(crossEntropy.getFloat(), distillation == null ? 0 : distillation.getFloat(), loss.getFloat());
        if (!Double.isFinite(losses.total())) {
          return losses;
        }
        collector.backward(loss);
      }
      trainer.step();
      return losses;
    }
  }

  /** Sums over the validation part, turned into an epoch's figures. */
  private record Validation(
      int samples, double crossEntropy, int correct, double featureGap, double w2, int teacherHeadCorrect,
      boolean withTeacher, boolean teacherHead) {

    EpochMetrics toMetrics(int epoch, double ce, Double distillation, double loss, double rate, double seconds) {
      return new EpochMetrics(epoch, ce, distillation, loss, crossEntropy / samples, (double) correct / samples,
          withTeacher ? featureGap / samples : null, withTeacher ? w2 / samples : null,
          withTeacher && teacherHead ? (double) teacherHeadCorrect / samples : null, rate, seconds);
    }
  }

  private static Validation validate(
      NDManager manager, Block network, TeacherModel teacher, LabelledImages data, int classes, int batchSize) {
    EmpiricalWasserstein w2 = new EmpiricalWasserstein();
    int n = data.size();
    int[] order = IntStream.range(0, n).toArray();
    double crossEntropy = 0;
    int correct = 0;
    double gap = 0;
    double distance = 0;
    int headCorrect = 0;
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      int count = to - from;
      try (NDManager batch = manager.newSubManager()) {
        NDArray x = batch.create(data.scaledPixels(order, from, to), data.shape().batchOf(count));
        NDArray y = batch.create(data.labels(order, from, to));
        NDList out = network.forward(new ParameterStore(batch, false), new NDList(x), false);
        crossEntropy += Objectives.crossEntropy(out.get(1), y, classes).getFloat() * count;
        correct += correct(out.get(1), y);
        if (teacher != null) {
          NDArray matched = out.get(2);
          NDArray teacherFeatures = teacher.infer(x).features();
          gap += matched.sub(teacherFeatures).square().sum().getFloat();
          distance += w2.between(matched, teacherFeatures).getFloat() * count;
          headCorrect += teacher.hasHead() ? correct(teacher.headLogits(matched), y) : 0;
        }
      }
    }
    return new Validation(n, crossEntropy, correct, gap, distance, headCorrect, teacher != null,
        teacher != null && teacher.hasHead());
  }

  private static int correct(NDArray logits, NDArray labels) {
    return (int) logits.argMax(1).toType(DataType.INT32, false).eq(labels).sum().getLong();
  }

  private static Trainer newTrainer(Model model, Block network, TrainingSettings settings, LearningRateSchedule schedule) {
    model.setBlock(network);
    Optimizer optimizer =
        switch (settings.optimizer()) {
          case "sgd" -> Optimizer.sgd().setLearningRateTracker(schedule).optMomentum(settings.momentum())
              .optWeightDecays(settings.weightDecay()).build();
          default -> Optimizer.adam().optLearningRateTracker(schedule).optWeightDecays(settings.weightDecay()).build();
        };
    // The loss named here is not used by the step, which builds the KDDM objective itself.
    return model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer));
  }

  /**
   * Where each batch of an epoch ends. A last batch of one sample joins the one before it:
   * batch normalisation cannot train on a single sample.
   */
  static int[] batchEnds(int n, int batchSize) {
    int count = (n + batchSize - 1) / batchSize;
    if (count > 1 && n % batchSize == 1) {
      count--;
    }
    int[] ends = new int[count];
    for (int i = 0; i < count; i++) {
      ends[i] = Math.min(n, (i + 1) * batchSize);
    }
    ends[count - 1] = n;
    return ends;
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
          data.subset(Arrays.copyOfRange(order, validationSize, n)), data.subset(Arrays.copyOfRange(order, 0, validationSize)));
    }
  }
}
