package com.kddm.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
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
import com.kddm.architectures.NetworkOutput;
import com.kddm.distances.EmpiricalWasserstein;
import com.kddm.distances.FeatureBatch;
import com.kddm.distances.FeatureDistance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains a student with the KDDM objective {@code CE(student logits, y) + λ·D(student features,
 * teacher features)} on each batch, or with cross-entropy alone when there is no teacher. When the
 * feature widths differ, a linear projector maps the student's features into the teacher's space;
 * it is trained with the student and left out of the exported network.
 *
 * <p>A trainer is bound to one {@link Device}: the trained block, its optimiser state and every
 * batch live there; a teacher on another device gets its inputs moved to it and its outputs moved
 * back.
 *
 * <p>Runs are reproducible and resumable. The seed fixes the initial weights and the validation
 * split; the data order of an epoch depends only on (seed, epoch), and the augmentation and the
 * engine's random seed (dropout) of a batch only on (seed, epoch, batch index). The trainer hands
 * the listener a {@link Checkpoint} at every epoch's end and, if asked, every N steps; {@link
 * #train(TrainingPlan, TrainingListener, Checkpoint)} continues from one without training a
 * completed step again.
 *
 * <p>One run at a time per JVM: DJL's PyTorch engine allows a single gradient collector.
 */
public final class DistillationTrainer {

  private final Device device;

  /** Trains on the engine's default device. */
  public DistillationTrainer() {
    this(Engine.getInstance().defaultDevice());
  }

  /** Trains on {@code device}; a worker bound to a device builds its trainer with it. */
  public DistillationTrainer(Device device) {
    this.device = Objects.requireNonNull(device, "device");
  }

  public Device device() {
    return device;
  }

  /** What a finished run hands back; the caller owns and closes the student. */
  public record Outcome(
      Network student, List<EpochMetrics> history, Evaluation evaluation, Evaluation teacherEvaluation)
      implements AutoCloseable {
    @Override
    public void close() {
      student.close();
    }
  }

  /** Trains from scratch; the same as {@code train(plan, listener, null)}. */
  public Outcome train(TrainingPlan plan, TrainingListener listener) {
    return train(plan, listener, null);
  }

  /**
   * Trains {@code plan}, from scratch when {@code resumeFrom} is null, else from that checkpoint:
   * its parameters and optimiser state are restored, its completed epochs are not trained again
   * (nor are the steps it had done in the next), {@link TrainingListener#onEpoch} is called only
   * for the epochs trained now, the step count and the learning-rate schedule continue, and the
   * outcome's history is the whole run's (the checkpoint's epochs, then the new ones).
   *
   * @throws InvalidDataException if {@code resumeFrom} belongs to another plan (student,
   *     classes, input, teacher width, projector, distillation or training settings, or data
   *     differ) or its parameters or optimiser state do not fit the plan's network
   * @throws TrainingStoppedException when the listener asks to stop
   * @throws TrainingDivergedException when the loss stops being finite
   */
  public Outcome train(TrainingPlan plan, TrainingListener listener, Checkpoint resumeFrom) {
    TrainingSettings settings = plan.settings();
    Split split = Split.of(plan.data(), settings.validationFraction(), settings.seed());
    LabelledImages evaluationSet = plan.test() != null ? plan.test() : split.validation();
    String evaluationSplit = plan.test() != null ? "test" : "validation";
    int classes = plan.classes();
    int batchSize = settings.batchSize();
    int[] ends = batchEnds(split.fit().size(), batchSize);
    int stepsPerEpoch = ends.length;
    long totalSteps = (long) stepsPerEpoch * settings.epochs();
    TeacherModel teacher = plan.teacher();
    boolean projected = teacher != null && teacher.featureSize() != plan.student().featureSize();
    Checkpoint.PlanSignature signature = Checkpoint.PlanSignature.of(plan, split.fit().size(), stepsPerEpoch, projected);
    if (resumeFrom != null) {
      resumable(() -> resumeFrom.requireResumes(signature));
    }
    FeatureDistance distance =
        plan.distillation() == null ? null : plan.distillation().distance().create(plan.distillation().parameters());
    float lambda = plan.distillation() == null ? 0f : plan.distillation().lambda();
    LearningRateSchedule schedule = new LearningRateSchedule(settings, stepsPerEpoch);
    long checkpointEvery = listener.checkpointEverySteps();
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException("checkpointEverySteps must be >= 0, got " + checkpointEvery);
    }

    Evaluation teacherEvaluation = teacher == null ? null : teacher.evaluate(evaluationSet, evaluationSplit, batchSize);

    // The same seed gives the same initial student whatever the teacher and distance are.
    Engine.getInstance().setRandomSeed((int) settings.seed());
    Block student = plan.student().architecture().build(plan.data().shape(), plan.student().featureSize(), classes);
    Block projector = projected ? Linear.builder().setUnits(teacher.featureSize()).optBias(false).build() : null;
    DistillationBlock network = new DistillationBlock(student, projector);
    List<EpochMetrics> history = new ArrayList<>();
    ResumableOptimizer optimizer = newOptimizer(settings, schedule);
    try (Model model = Model.newInstance("training", device)) {
      model.setBlock(network);
      if (resumeFrom != null) {
        // Loaded before the trainer initialises the block, which then keeps these arrays.
        resumable(() -> restoreParameters(network, model.getNDManager(), resumeFrom.parameters()));
      }
      // The loss named here is not used by the step, which builds the KDDM objective itself.
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(optimizer)
          .optDevices(new Device[] {device});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(plan.data().shape().batchOf(batchSize));
        long step = 0;
        int firstEpoch = 1;
        Checkpoint.EpochProgress progress = Checkpoint.EpochProgress.NONE;
        if (resumeFrom != null) {
          resumable(() -> {
            optimizer.loadState(resumeFrom.optimizerState(), network.getParameters());
            if (optimizer.updates() != resumeFrom.globalStep()) {
              throw new InvalidDataException("the checkpoint's optimiser state has " + optimizer.updates()
                  + " updates but the checkpoint is at step " + resumeFrom.globalStep());
            }
          });
          history.addAll(resumeFrom.history());
          step = resumeFrom.globalStep();
          firstEpoch = resumeFrom.completedEpochs() + 1;
          progress = resumeFrom.progress();
        }
        for (int epoch = firstEpoch; epoch <= settings.epochs(); epoch++) {
          long started = System.nanoTime();
          int[] order = shuffled(split.fit().size(), new Random(settings.seed() * 7919 + epoch));
          double ceSum = progress.crossEntropySum();
          double distillationSum = progress.distillationSum();
          double lossSum = progress.lossSum();
          int samples = progress.samples();
          double secondsBefore = progress.seconds();
          for (int batch = progress.steps(); batch < stepsPerEpoch; batch++) {
            if (listener.shouldStop()) {
              // Mid-epoch, a last checkpoint saves the steps since the previous one; at an epoch's
              // start the previous epoch's checkpoint already holds everything.
              if (listener.checkpointWhenStopped() && batch > 0) {
                Checkpoint.EpochProgress within = new Checkpoint.EpochProgress(batch, samples, ceSum, distillationSum,
                    lossSum, secondsBefore + (System.nanoTime() - started) / 1e9);
                listener.onCheckpoint(checkpoint(signature, epoch - 1, step, within, history, network, optimizer));
              }
              throw new TrainingStoppedException("stopped at epoch " + epoch + ", step " + step);
            }
            int from = batch == 0 ? 0 : ends[batch - 1];
            int to = ends[batch];
            // Dropout and augmentation draw from generators seeded by the batch's place alone.
            Engine.getInstance().setRandomSeed((int) mix(settings.seed(), epoch, batch));
            float[] pixels = split.fit().scaledPixels(order, from, to);
            Augmentation.apply(pixels, to - from, plan.data().shape(), settings,
                new Random(mix(settings.seed() ^ 0x5DEECE66DL, epoch, batch)));
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
            samples += to - from;
            step++;
            listener.onStep(epoch, step, totalSteps);
            if (checkpointEvery > 0 && step % checkpointEvery == 0 && batch + 1 < stepsPerEpoch) {
              Checkpoint.EpochProgress within = new Checkpoint.EpochProgress(batch + 1, samples, ceSum, distillationSum,
                  lossSum, secondsBefore + (System.nanoTime() - started) / 1e9);
              listener.onCheckpoint(checkpoint(signature, epoch - 1, step, within, history, network, optimizer));
            }
          }
          progress = Checkpoint.EpochProgress.NONE;
          EpochMetrics metrics =
              validate(trainer.getManager(), network, plan.inputNormalization(), teacher, split.validation(), classes,
                  batchSize)
                  .toMetrics(epoch, ceSum / samples, distance == null ? null : distillationSum / samples, lossSum / samples,
                      schedule.at(step - 1), secondsBefore + (System.nanoTime() - started) / 1e9);
          history.add(metrics);
          listener.onEpoch(metrics);
          listener.onCheckpoint(checkpoint(signature, epoch, step, progress, history, network, optimizer));
        }
      }
      // The exported copy is what users download; its evaluation is the one the job reports.
      Network exported = Network.copyOf(student, plan.student(), plan.data().shape(), classes, device)
          .normalizingInputsWith(plan.inputNormalization());
      try {
        return new Outcome(exported, List.copyOf(history), exported.evaluate(evaluationSet, evaluationSplit, batchSize),
            teacherEvaluation);
      } catch (RuntimeException e) {
        exported.close();
        throw e;
      }
    }
  }

  private static Checkpoint checkpoint(
      Checkpoint.PlanSignature signature, int completedEpochs, long step, Checkpoint.EpochProgress progress,
      List<EpochMetrics> history, Block network, ResumableOptimizer optimizer) {
    ByteArrayOutputStream parameters = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(parameters)) {
      network.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Checkpoint(signature, completedEpochs, step, progress, history, parameters.toByteArray(),
        optimizer.saveState(network.getParameters()));
  }

  private static void restoreParameters(Block network, NDManager manager, byte[] parameters) {
    try {
      network.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(parameters)));
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new InvalidDataException("the checkpoint's parameters do not fit this plan's network (" + e.getMessage() + ")", e);
    }
  }

  /** A well-spread 64-bit seed from a run's seed and a batch's place (SplitMix64's finaliser). */
  static long mix(long seed, long epoch, long batch) {
    long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Reports any refusal while restoring a checkpoint as a {@link CheckpointMismatchException}. */
  private static void resumable(Runnable restore) {
    try {
      restore.run();
    } catch (CheckpointMismatchException e) {
      throw e;
    } catch (InvalidDataException e) {
      throw new CheckpointMismatchException(e.getMessage(), e);
    }
  }

  private record StepLosses(double crossEntropy, double distillation, double total) {}

  private static StepLosses step(
      Trainer trainer, float[] pixels, int[] labels, TrainingPlan plan, int classes, FeatureDistance distance,
      float lambda) {
    // Every intermediate of the step lives in this sub-manager and is freed with it.
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray scaled = batch.create(pixels, plan.data().shape().batchOf(labels.length));
      NDArray x = plan.inputNormalization().applyTo(scaled);
      NDArray y = batch.create(labels);
      NDArray teacherFeatures = null;
      NDArray teacherLogits = null;
      if (distance != null) {
        // The frozen teacher answers inference tensors; copies on this device can take part in autograd.
        // It is given the images before the student's normalisation and applies its own.
        NetworkOutput teacherOut = askTeacher(plan.teacher(), scaled);
        teacherFeatures = copyTo(teacherOut.features(), x.getDevice());
        teacherLogits = copyTo(teacherOut.logits(), x.getDevice());
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

  private static Validation validate(NDManager manager, Block network, Normalization normalization,
      TeacherModel teacher, LabelledImages data, int classes, int batchSize) {
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
        NDArray scaled = batch.create(data.scaledPixels(order, from, to), data.shape().batchOf(count));
        NDArray x = normalization.applyTo(scaled);
        NDArray y = batch.create(data.labels(order, from, to));
        NDList out = network.forward(new ParameterStore(batch, false), new NDList(x), false);
        crossEntropy += Objectives.crossEntropy(out.get(1), y, classes).getFloat() * count;
        correct += correct(out.get(1), y);
        if (teacher != null) {
          NDArray matched = out.get(2);
          NDArray teacherFeatures = copyTo(askTeacher(teacher, scaled).features(), x.getDevice());
          gap += matched.sub(teacherFeatures).square().sum().getFloat();
          distance += w2.between(matched, teacherFeatures).getFloat() * count;
          headCorrect += teacher.hasHead()
              ? correct(copyTo(teacher.headLogits(onDevice(matched, teacherDevice(teacher))), x.getDevice()), y)
              : 0;
        }
      }
    }
    return new Validation(n, crossEntropy, correct, gap, distance, headCorrect, teacher != null,
        teacher != null && teacher.hasHead());
  }

  private static Device teacherDevice(TeacherModel teacher) {
    return teacher.manager().getDevice();
  }

  /** The teacher's answer for {@code x}, which is moved to the teacher's device if it lives elsewhere. */
  private static NetworkOutput askTeacher(TeacherModel teacher, NDArray x) {
    return teacher.infer(onDevice(x, teacherDevice(teacher)));
  }

  private static NDArray onDevice(NDArray array, Device device) {
    return array.getDevice().equals(device) ? array : array.toDevice(device, true);
  }

  /** A copy on {@code device}: never the teacher's inference tensor itself. */
  private static NDArray copyTo(NDArray array, Device device) {
    return array.getDevice().equals(device) ? array.duplicate() : array.toDevice(device, true);
  }

  private static int correct(NDArray logits, NDArray labels) {
    return (int) logits.argMax(1).toType(DataType.INT32, false).eq(labels).sum().getLong();
  }

  private static ResumableOptimizer newOptimizer(TrainingSettings settings, LearningRateSchedule schedule) {
    return switch (settings.optimizer()) {
      case "sgd" -> new SgdOptimizer(schedule, settings.momentum(), settings.weightDecay());
      default -> new AdamOptimizer(schedule, settings.weightDecay());
    };
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
