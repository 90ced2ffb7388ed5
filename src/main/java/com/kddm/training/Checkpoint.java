package com.kddm.training;

import com.kddm.architectures.ArchitectureSpec;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything needed to continue a run after an optimisation step as if it had never stopped: the
 * trainer block's parameters (student and projector), the optimiser's state (moments, momentum
 * buffers, update counts), the position (completed epochs, steps done in the epoch in progress and
 * its running loss sums, global step; the schedule position follows from the global step) and the
 * metrics of every completed epoch. No random-generator state is stored: the data order depends
 * only on (seed, epoch), the augmentation and the engine's random seed (dropout) only on
 * (seed, epoch, batch index).
 *
 * <p>A {@link DistillationTrainer} hands one to {@link TrainingListener#onCheckpoint} after every
 * epoch and, if asked, every N steps; {@link DistillationTrainer#train(TrainingPlan,
 * TrainingListener, Checkpoint)} continues from it. It resumes only the plan it was written for
 * (same student, input shape, classes, teacher width and projector, distillation settings, training
 * settings and data); anything else is refused with {@link InvalidDataException}. Resumed at an
 * epoch's end with the same seed, a run ends with the same weights, bit for bit, as one that never
 * stopped (on the same device and library versions).
 *
 * <p>Immutable and independent of any DJL manager: it may outlive the run and be stored later.
 * Stored form ({@link #write}/{@link #read}): a ZIP holding {@value #META} (the position, the
 * history, the plan it belongs to and SHA-256 digests of the two binary entries),
 * {@value #PARAMETERS} (DJL's parameter stream of the trainer block) and {@value #OPTIMIZER}
 * ({@link ResumableOptimizer#saveState}).
 */
public final class Checkpoint {

  public static final String FORMAT = "kddm-checkpoint";
  public static final int VERSION = 1;
  static final String META = "checkpoint.json";
  static final String PARAMETERS = "parameters.djl";
  static final String OPTIMIZER = "optimizer.bin";
  private static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 64;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * What a run trains, as far as resuming it is concerned. Two plans with the same signature train
   * the same block on the same batches.
   */
  record PlanSignature(
      ArchitectureSpec student,
      List<Integer> inputShape,
      int classes,
      Integer teacherFeatureSize,
      Integer projectorWidth,
      String distillation,
      TrainingSettings settings,
      int fitSamples,
      int stepsPerEpoch,
      long dataChecksum) {

    static PlanSignature of(TrainingPlan plan, int fitSamples, int stepsPerEpoch, boolean projector) {
      TeacherModel teacher = plan.teacher();
      DistillationSettings distillation = plan.distillation();
      CRC32 crc = new CRC32();
      crc.update(plan.data().pixels());
      for (int label : plan.data().labels()) {
        crc.update(label);
      }
      return new PlanSignature(
          plan.student(),
          plan.data().shape().asList(),
          plan.classes(),
          teacher == null ? null : teacher.featureSize(),
          projector ? teacher.featureSize() : null,
          distillation == null ? null
              : distillation.distance() + " lambda=" + distillation.lambda() + " " + new TreeMap<>(distillation.parameters()),
          plan.settings(),
          fitSamples,
          stepsPerEpoch,
          crc.getValue());
    }

    /** The first difference from {@code other}, in words, or null when they are the same. */
    String difference(PlanSignature other) {
      Map<String, Object[]> parts = new java.util.LinkedHashMap<>();
      parts.put("the student", new Object[] {student, other.student});
      parts.put("the input shape", new Object[] {inputShape, other.inputShape});
      parts.put("the number of classes", new Object[] {classes, other.classes});
      parts.put("the teacher's feature size", new Object[] {teacherFeatureSize, other.teacherFeatureSize});
      parts.put("the projector's width", new Object[] {projectorWidth, other.projectorWidth});
      parts.put("the distillation settings", new Object[] {distillation, other.distillation});
      parts.put("the training settings", new Object[] {settings, other.settings});
      parts.put("the number of fit samples", new Object[] {fitSamples, other.fitSamples});
      parts.put("the steps per epoch", new Object[] {stepsPerEpoch, other.stepsPerEpoch});
      parts.put("the training data (checksum)", new Object[] {dataChecksum, other.dataChecksum});
      for (Map.Entry<String, Object[]> part : parts.entrySet()) {
        if (!Objects.equals(part.getValue()[0], part.getValue()[1])) {
          return part.getKey() + ": " + part.getValue()[0] + " in the checkpoint, " + part.getValue()[1] + " in the plan";
        }
      }
      return null;
    }
  }

  /** The epoch in progress: steps done in it, samples seen, and the sums its training losses are means of. */
  record EpochProgress(
      int steps, int samples, double crossEntropySum, double distillationSum, double lossSum, double seconds) {
    static final EpochProgress NONE = new EpochProgress(0, 0, 0, 0, 0, 0);
  }

  private record Meta(
      String format,
      int formatVersion,
      PlanSignature plan,
      int completedEpochs,
      long globalStep,
      EpochProgress epochInProgress,
      List<EpochMetrics> history,
      String parametersSha256,
      String optimizerSha256) {}

  private final PlanSignature plan;
  private final int completedEpochs;
  private final long globalStep;
  private final EpochProgress progress;
  private final List<EpochMetrics> history;
  private final byte[] parameters;
  private final byte[] optimizerState;

  Checkpoint(
      PlanSignature plan, int completedEpochs, long globalStep, EpochProgress progress, List<EpochMetrics> history,
      byte[] parameters, byte[] optimizerState) {
    this.plan = Objects.requireNonNull(plan);
    this.completedEpochs = completedEpochs;
    this.globalStep = globalStep;
    this.progress = Objects.requireNonNull(progress);
    this.history = List.copyOf(history);
    this.parameters = parameters.clone();
    this.optimizerState = optimizerState.clone();
    String inconsistency = inconsistency();
    if (inconsistency != null) {
      throw new InvalidDataException("inconsistent checkpoint: " + inconsistency);
    }
  }

  private String inconsistency() {
    int epochs = plan.settings().epochs();
    if (completedEpochs < 0 || completedEpochs > epochs) {
      return completedEpochs + " completed epochs of " + epochs;
    }
    if (progress.steps() < 0 || progress.steps() >= plan.stepsPerEpoch()
        || (completedEpochs == epochs && progress.steps() != 0)) {
      return progress.steps() + " steps into an epoch of " + plan.stepsPerEpoch();
    }
    if (globalStep != (long) completedEpochs * plan.stepsPerEpoch() + progress.steps()) {
      return "global step " + globalStep + " after " + completedEpochs + " epochs of " + plan.stepsPerEpoch()
          + " steps and " + progress.steps() + " more";
    }
    if (history.size() != completedEpochs) {
      return history.size() + " epochs of history for " + completedEpochs + " completed epochs";
    }
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i) == null || history.get(i).epoch() != i + 1) {
        return "the history does not number its epochs 1.." + completedEpochs;
      }
    }
    return null;
  }

  /** Epochs fully trained and validated. */
  public int completedEpochs() {
    return completedEpochs;
  }

  /** Steps already done in epoch {@code completedEpochs() + 1}; 0 at an epoch's end. */
  public int stepsIntoEpoch() {
    return progress.steps();
  }

  /** Optimisation steps done in the whole run, the one {@link TrainingListener#onStep} last reported. */
  public long globalStep() {
    return globalStep;
  }

  /** The epochs the run is planned for. */
  public int epochs() {
    return plan.settings().epochs();
  }

  /** Whether it was taken at an epoch's end (after its validation), rather than within an epoch. */
  public boolean atEpochEnd() {
    return progress.steps() == 0;
  }

  /** Whether every planned epoch is done: resuming only exports the student. */
  public boolean finished() {
    return completedEpochs == epochs();
  }

  /** Metrics of the completed epochs, epoch 1 first. */
  public List<EpochMetrics> history() {
    return history;
  }

  PlanSignature plan() {
    return plan;
  }

  EpochProgress progress() {
    return progress;
  }

  byte[] parameters() {
    return parameters.clone();
  }

  byte[] optimizerState() {
    return optimizerState.clone();
  }

  /** Refuses, with the first difference in words, to resume a plan other than the one it was written for. */
  void requireResumes(PlanSignature current) {
    String difference = plan.difference(current);
    if (difference != null) {
      throw new InvalidDataException("the checkpoint belongs to another training plan; " + difference);
    }
  }

  /** Writes the ZIP described in the class comment; does not close {@code out}. */
  public void write(OutputStream out) throws IOException {
    Meta meta = new Meta(FORMAT, VERSION, plan, completedEpochs, globalStep, progress, history,
        sha256(parameters), sha256(optimizerState));
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.putNextEntry(ZipEntries.timeless(META));
    zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    zip.closeEntry();
    zip.putNextEntry(ZipEntries.timeless(PARAMETERS));
    zip.write(parameters);
    zip.closeEntry();
    zip.putNextEntry(ZipEntries.timeless(OPTIMIZER));
    zip.write(optimizerState);
    zip.closeEntry();
    zip.finish();
    zip.flush();
  }

  /** The bytes {@link #write} produces. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      write(bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads what {@link #write} wrote. Refuses with {@link InvalidDataException} anything that is not a
   * whole, self-consistent checkpoint of this version: not a ZIP, a missing entry, a digest that does
   * not match, unreadable JSON. Whether the binary entries fit a plan's network is checked when a
   * trainer resumes from it.
   */
  public static Checkpoint read(InputStream in) throws IOException {
    byte[] metaBytes = null;
    byte[] parameters = null;
    byte[] optimizer = null;
    try {
      ZipInputStream zip = new ZipInputStream(in);
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        switch (entry.getName()) {
          case META -> metaBytes = ZipEntries.read(zip, entry, MAX_ENTRY_BYTES);
          case PARAMETERS -> parameters = ZipEntries.read(zip, entry, MAX_ENTRY_BYTES);
          case OPTIMIZER -> optimizer = ZipEntries.read(zip, entry, MAX_ENTRY_BYTES);
          default -> { }
        }
      }
    } catch (ZipException | EOFException e) {
      throw new InvalidDataException("not a readable checkpoint: " + e.getMessage(), e);
    }
    if (metaBytes == null || parameters == null || optimizer == null) {
      throw new InvalidDataException("not a checkpoint: it must hold " + META + ", " + PARAMETERS + " and " + OPTIMIZER);
    }
    Meta meta;
    try {
      meta = JSON.readValue(metaBytes, Meta.class);
    } catch (JacksonException | IllegalArgumentException e) {
      throw new InvalidDataException("unreadable " + META + ": " + e.getMessage(), e);
    }
    if (!FORMAT.equals(meta.format())) {
      throw new InvalidDataException(META + " names format '" + meta.format() + "', expected '" + FORMAT + "'");
    }
    if (meta.formatVersion() != VERSION) {
      throw new InvalidDataException("checkpoint format version " + meta.formatVersion() + " is not supported");
    }
    if (meta.plan() == null || meta.epochInProgress() == null || meta.history() == null
        || meta.plan().settings() == null || meta.plan().student() == null) {
      throw new InvalidDataException(META + " is incomplete");
    }
    if (!sha256(parameters).equals(meta.parametersSha256()) || !sha256(optimizer).equals(meta.optimizerSha256())) {
      throw new InvalidDataException("the checkpoint is corrupt: its parameters or optimiser state do not match their digests");
    }
    return new Checkpoint(meta.plan(), meta.completedEpochs(), meta.globalStep(), meta.epochInProgress(),
        new ArrayList<>(meta.history()), parameters, optimizer);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Checkpoint[epoch " + completedEpochs + "/" + epochs() + ", " + progress.steps() + " steps into the next, global step "
        + globalStep + "]";
  }
}
