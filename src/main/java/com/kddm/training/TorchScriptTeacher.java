package com.kddm.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A teacher brought from PyTorch as TorchScript. The contract: {@code forward(x)} takes a float32
 * batch N×C×H×W scaled to [0, 1] and then normalised with the per-channel statistics given at
 * registration (none: [0, 1] as is), and returns the tuple {@code (logits, features)}, N×classes
 * and N×featureSize. Its head is not separately callable, so the teacher-head metric is not reported.
 */
public final class TorchScriptTeacher implements TeacherModel {

  private final Model model;
  private final InputShape input;
  private final int classes;
  private final int featureSize;
  private final Normalization normalization;

  private TorchScriptTeacher(Model model, InputShape input, int classes, int featureSize, Normalization normalization) {
    this.model = model;
    this.input = input;
    this.classes = classes;
    this.featureSize = featureSize;
    this.normalization = normalization;
  }

  /**
   * Loads the module onto the engine's default device and runs it once on zeros of {@code input},
   * refusing outputs that break the contract.
   */
  public static TorchScriptTeacher load(Path file, InputShape input) {
    return load(file, input, Normalization.NONE, Engine.getInstance().defaultDevice());
  }

  /**
   * Loads the module onto {@code device} (its weights and the inputs it is given live there) and
   * runs it once on zeros of {@code input}, refusing outputs that break the contract.
   */
  public static TorchScriptTeacher load(Path file, InputShape input, Normalization normalization, Device device) {
    normalization.requireChannels(input.channels(), "the input normalisation");
    Model model = Model.newInstance("torchscript-teacher", device, "PyTorch");
    try {
      model.load(file);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new InvalidDataException("not a TorchScript module that libtorch can load (" + firstLine(e) + ")", e);
    }
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      NDList out = forward(model, scratch.zeros(input.batchOf(2)));
      if (out.size() != 2 || out.get(0).getShape().dimension() != 2 || out.get(1).getShape().dimension() != 2
          || out.get(0).getShape().get(0) != 2 || out.get(1).getShape().get(0) != 2) {
        throw new InvalidDataException("the module's forward must return (logits, features), two N×k arrays; on a 2×"
            + input + " batch it returned " + describe(out));
      }
      int classes = (int) out.get(0).getShape().get(1);
      int features = (int) out.get(1).getShape().get(1);
      if (classes < 2) {
        throw new InvalidDataException("the module's logits have " + classes + " column(s); a classifier needs at least two");
      }
      return new TorchScriptTeacher(model, input, classes, features, normalization);
    } catch (InvalidDataException e) {
      model.close();
      throw e;
    } catch (RuntimeException e) {
      model.close();
      throw new InvalidDataException("the module failed on a 2×" + input + " batch of zeros: " + firstLine(e), e);
    }
  }

  private static NDList forward(Model model, NDArray images) {
    return model.getBlock().forward(new ParameterStore(images.getManager(), false), new NDList(images), false);
  }

  private static String describe(NDList out) {
    StringBuilder shapes = new StringBuilder(out.size() + " output(s)");
    for (NDArray array : out) {
      shapes.append(' ').append(array.getShape());
    }
    return shapes.toString();
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public NetworkOutput infer(NDArray images) {
    NDList out = forward(model, normalization.applyTo(images));
    return new NetworkOutput(out.get(1), out.get(0));
  }

  @Override
  public Normalization inputNormalization() {
    return normalization;
  }

  @Override
  public boolean hasHead() {
    return false;
  }

  @Override
  public NDArray headLogits(NDArray features) {
    throw new UnsupportedOperationException("a TorchScript teacher's head is not separately callable");
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
    return featureSize;
  }

  @Override
  public NDManager manager() {
    return model.getNDManager();
  }

  @Override
  public void close() {
    model.close();
  }
}
