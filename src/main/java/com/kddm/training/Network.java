package com.kddm.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A catalog network with its weights, and the service's archive format for it: a ZIP holding
 * {@code manifest.json} ({@link ArchiveManifest}) and {@code parameters.djl} (DJL's parameter
 * stream for the block the manifest describes).
 */
public final class Network implements TeacherModel {

  static final String MANIFEST = "manifest.json";
  static final String PARAMETERS = "parameters.djl";
  private static final long MAX_ENTRY_BYTES = 1L << 30;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Model model;
  private final ArchitectureSpec spec;
  private final InputShape input;
  private final int classes;
  private Normalization normalization = Normalization.NONE;

  private Network(Model model, ArchitectureSpec spec, InputShape input, int classes) {
    this.model = model;
    this.spec = spec;
    this.input = input;
    this.classes = classes;
  }

  /**
   * Makes the network normalise its inputs with {@code normalization} before its first layer, as
   * it was trained to: {@link #infer} takes images scaled to [0, 1].
   */
  public Network normalizingInputsWith(Normalization normalization) {
    this.normalization = normalization.requireChannels(input.channels(), "the input normalisation");
    return this;
  }

  /** How the network's inputs are normalised after scaling to [0, 1]. */
  @Override
  public Normalization inputNormalization() {
    return normalization;
  }

  /** A network whose parameters are not initialised yet; a trainer initialises them. */
  static Network untrained(ArchitectureSpec spec, InputShape input, int classes) {
    return untrained(spec, input, classes, Engine.getInstance().defaultDevice());
  }

  /** A network on {@code device} whose parameters are not initialised yet. */
  static Network untrained(ArchitectureSpec spec, InputShape input, int classes, Device device) {
    Model model = Model.newInstance(spec.name(), device);
    model.setBlock(spec.architecture().build(input, spec.featureSize(), classes));
    return new Network(model, spec, input, classes);
  }

  /** A network whose parameters are initialised (randomly), to be overwritten with loaded weights. */
  static Network initialised(ArchitectureSpec spec, InputShape input, int classes) {
    return initialised(spec, input, classes, Engine.getInstance().defaultDevice());
  }

  /** As {@link #initialised(ArchitectureSpec, InputShape, int)}, on {@code device}. */
  static Network initialised(ArchitectureSpec spec, InputShape input, int classes, Device device) {
    Network network = untrained(spec, input, classes, device);
    try {
      network.model.getBlock().initialize(network.model.getNDManager(), DataType.FLOAT32, input.batchOf(1));
      return network;
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  /**
   * A network of its own on {@code device} holding a copy of {@code trained}'s parameters (a block
   * being trained).
   */
  static Network copyOf(ai.djl.nn.Block trained, ArchitectureSpec spec, InputShape input, int classes, Device device) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      trained.saveParameters(new DataOutputStream(bytes));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Network network = untrained(spec, input, classes, device);
    try {
      network.model.getBlock().loadParameters(network.model.getNDManager(),
          new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      return network;
    } catch (IOException | MalformedModelException e) {
      network.close();
      throw new IllegalStateException("could not copy the trained parameters", e);
    }
  }

  /**
   * Reads an archive onto the engine's default device, refusing anything that does not rebuild into
   * a working network.
   */
  public static Network read(InputStream archive) throws IOException {
    return read(archive, Engine.getInstance().defaultDevice());
  }

  /**
   * Reads an archive onto {@code device} (its parameters and the batches it evaluates live there),
   * refusing anything that does not rebuild into a working network.
   */
  public static Network read(InputStream archive, Device device) throws IOException {
    byte[] manifestBytes = null;
    byte[] parameterBytes = null;
    try (ZipInputStream zip = new ZipInputStream(archive)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        if (entry.getName().equals(MANIFEST)) {
          manifestBytes = ZipEntries.read(zip, entry, MAX_ENTRY_BYTES);
        } else if (entry.getName().equals(PARAMETERS)) {
          parameterBytes = ZipEntries.read(zip, entry, MAX_ENTRY_BYTES);
        }
      }
    } catch (ZipException e) {
      throw new InvalidDataException("not a student archive: the file is not a valid ZIP (" + e.getMessage() + ")", e);
    }
    if (manifestBytes == null || parameterBytes == null) {
      throw new InvalidDataException(
          "not a student archive: it must hold " + MANIFEST + " and " + PARAMETERS);
    }
    ArchiveManifest manifest = parseManifest(manifestBytes);
    Network network =
        untrained(manifest.architecture(), InputShape.of(manifest.inputShape()), manifest.classes(), device);
    try {
      network.model
          .getBlock()
          .loadParameters(network.model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameterBytes)));
      if (manifest.inputNormalization() != null) {
        network.normalizingInputsWith(manifest.inputNormalization().toNormalization());
      }
      network.checkForward();
      return network;
    } catch (MalformedModelException | IOException | RuntimeException e) {
      network.close();
      throw new InvalidDataException(
          "the parameters do not fit a " + manifest.architecture().name() + " network with featureSize "
              + manifest.architecture().featureSize() + ", input " + network.input + " and "
              + manifest.classes() + " classes (" + e.getMessage() + ")",
          e);
    }
  }

  private static ArchiveManifest parseManifest(byte[] bytes) {
    ArchiveManifest manifest;
    try {
      manifest = JSON.readValue(bytes, ArchiveManifest.class);
    } catch (JacksonException e) {
      throw new InvalidDataException("unreadable " + MANIFEST + ": " + e.getOriginalMessage(), e);
    }
    if (!ArchiveManifest.FORMAT.equals(manifest.format())) {
      throw new InvalidDataException(MANIFEST + " names format '" + manifest.format() + "', expected '" + ArchiveManifest.FORMAT + "'");
    }
    if (manifest.formatVersion() != ArchiveManifest.VERSION) {
      throw new InvalidDataException("archive format version " + manifest.formatVersion() + " is not supported");
    }
    if (manifest.architecture() == null || manifest.inputShape() == null) {
      throw new InvalidDataException(MANIFEST + " must name the architecture and the input shape");
    }
    try {
      InputShape.of(manifest.inputShape());
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(MANIFEST + ": " + e.getMessage());
    }
    if (manifest.classes() < 2) {
      throw new InvalidDataException(MANIFEST + ": classes must be at least 2");
    }
    if (manifest.inputNormalization() != null) {
      try {
        manifest.inputNormalization().toNormalization().requireChannels(manifest.inputShape().get(0), MANIFEST);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidDataException(MANIFEST + ": inputNormalization " + e.getMessage());
      }
    }
    return manifest;
  }

  void checkForward() {
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      NetworkOutput out = infer(scratch.zeros(input.batchOf(1)));
      if (out.logits().getShape().get(1) != classes || out.features().getShape().get(1) != spec.featureSize()) {
        throw new IllegalStateException("unexpected output shapes " + out.features().getShape() + ", " + out.logits().getShape());
      }
    }
  }

  /** Writes the archive; the evaluation and provenance travel in the manifest. */
  public void write(OutputStream out, Evaluation evaluation, Map<String, String> provenance) throws IOException {
    ArchiveManifest manifest =
        new ArchiveManifest(
            ArchiveManifest.FORMAT,
            ArchiveManifest.VERSION,
            spec,
            input.asList(),
            classes,
            normalization.describe(),
            ArchiveManifest.InputNormalization.of(normalization),
            ArchiveManifest.OUTPUTS,
            evaluation,
            provenance);
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.putNextEntry(ZipEntries.timeless(MANIFEST));
    zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    zip.closeEntry();
    zip.putNextEntry(ZipEntries.timeless(PARAMETERS));
    DataOutputStream parameters = new DataOutputStream(zip);
    model.getBlock().saveParameters(parameters);
    parameters.flush();
    zip.closeEntry();
    zip.finish();
  }

  /** Forward pass on images scaled to [0, 1], normalised here as the network was trained. */
  @Override
  public NetworkOutput infer(NDArray images) {
    ParameterStore store = new ParameterStore(images.getManager(), false);
    return NetworkOutput.of(model.getBlock().forward(store, new NDList(normalization.applyTo(images)), false));
  }

  @Override
  public boolean hasHead() {
    return true;
  }

  @Override
  public NDArray headLogits(NDArray features) {
    ai.djl.nn.Block head = model.getBlock().getChildren().get(1).getValue();
    return head.forward(new ParameterStore(features.getManager(), false), new NDList(features), false).singletonOrThrow();
  }

  /** Predicted class of every sample, in order. */
  public int[] predict(LabelledImages data, int batchSize) {
    int n = data.size();
    int[] order = java.util.stream.IntStream.range(0, n).toArray();
    int[] predictions = new int[n];
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      try (NDManager batch = model.getNDManager().newSubManager()) {
        NDArray x = batch.create(data.scaledPixels(order, from, to), input.batchOf(to - from));
        int[] predicted = infer(x).logits().argMax(1).toType(DataType.INT32, false).toIntArray();
        System.arraycopy(predicted, 0, predictions, from, predicted.length);
      }
    }
    return predictions;
  }

  public ArchitectureSpec spec() {
    return spec;
  }

  Model model() {
    return model;
  }

  @Override
  public NDManager manager() {
    return model.getNDManager();
  }

  @Override
  public InputShape inputShape() {
    return input;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public int featureSize() {
    return spec.featureSize();
  }

  @Override
  public void close() {
    model.close();
  }
}
