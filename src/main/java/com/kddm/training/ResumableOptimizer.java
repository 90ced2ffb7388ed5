package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL optimiser whose whole state can be written out and read back, so that a run resumed from
 * a {@link Checkpoint} continues exactly where it stopped. DJL's own optimisers keep their moments
 * and update counts in private maps; these keep them here.
 *
 * <p>State is kept per parameter: how many updates it has had and its buffers (for example Adam's
 * two moments). DJL identifies a parameter by {@link Parameter#getId()}, a random identifier that
 * changes whenever a block is built; the exported form therefore names each parameter by its path
 * in the block ({@link ai.djl.nn.Block#getParameters()}), which is the same for every build of the
 * same architecture. {@link #saveState} and {@link #loadState} translate between the two.
 *
 * <p>The learning rate of a parameter's update number {@code t} (counted from 0) is
 * {@code learningRate.getNewValue(t)}; weight decay is an L2 penalty added to the gradient, as in
 * {@code torch.optim}. Like DJL's optimisers on the PyTorch engine, an update ends by zeroing the
 * parameter's gradient, which backward otherwise keeps adding into.
 */
public abstract class ResumableOptimizer extends Optimizer {

  private static final String MAGIC = "kddm-optimizer-state";
  private static final int VERSION = 1;

  private final Tracker learningRate;
  private final Map<String, Slot> slots = new HashMap<>();

  /** One parameter's state. */
  private static final class Slot {
    int updates;
    final NDArray[] buffers;

    Slot(int buffers) {
      this.buffers = new NDArray[buffers];
    }
  }

  protected ResumableOptimizer(Tracker learningRate, float weightDecay) {
    super(new Settings().optWeightDecays(weightDecay));
    if (learningRate == null) {
      throw new IllegalArgumentException("a learning-rate tracker is required");
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be a finite number >= 0");
    }
    this.learningRate = learningRate;
  }

  private static final class Settings extends OptimizerBuilder<Settings> {
    @Override
    protected Settings self() {
      return this;
    }
  }

  /** The name that the exported state carries, refused by an optimiser of another kind. */
  public abstract String kind();

  /** Names of the per-parameter buffers, each shaped like the parameter. */
  protected abstract List<String> bufferNames();

  /**
   * Applies one update in place. {@code gradient} already includes the weight decay; the buffers
   * start as zeros; {@code t} counts this parameter's updates from 1 (this one included).
   */
  protected abstract void apply(NDArray weight, NDArray gradient, NDArray[] buffers, float rate, int t);

  @Override
  public final void update(String parameterId, NDArray weight, NDArray grad) {
    Slot slot = slots.computeIfAbsent(parameterId, id -> new Slot(bufferNames().size()));
    for (int i = 0; i < slot.buffers.length; i++) {
      if (slot.buffers[i] == null) {
        slot.buffers[i] = weight.zerosLike();
      }
    }
    float rate = learningRate.getNewValue(slot.updates);
    slot.updates++;
    float decay = getWeightDecay();
    // A detached view shares the weight's storage: updating it in place is allowed whatever the
    // calling thread's grad mode is (PyTorch refuses in-place changes to a leaf that requires grad,
    // and grad mode is per thread, on by default in a worker thread).
    try (NDArray target = weight.stopGradient()) {
      if (decay == 0f) {
        apply(target, grad, slot.buffers, rate, slot.updates);
      } else {
        try (NDArray decayed = target.mul(decay);
            NDArray gradient = grad.add(decayed)) {
          apply(target, gradient, slot.buffers, rate, slot.updates);
        }
      }
    }
    clearGradient(weight);
  }

  /**
   * Zeroes the parameter's accumulated gradient. With the PyTorch engine, backward adds into it and
   * nothing else clears it: DJL's own optimisers do it at the end of their update, so must these.
   */
  private static void clearGradient(NDArray weight) {
    if (weight instanceof PtNDArray torch) {
      JniUtils.zeroGrad(torch);
    } else if (weight.hasGradient()) {
      NDArray gradient = weight.getGradient();
      gradient.subi(gradient);
    }
  }

  /** The most updates any parameter has had: the number of optimisation steps taken so far. */
  public int updates() {
    return slots.values().stream().mapToInt(s -> s.updates).max().orElse(0);
  }

  /**
   * The state of every parameter of {@code parameters} that has been updated, keyed by its path.
   * The format: a header (format name, version, {@link #kind()}, entry count), then per parameter
   * its path, its update count and its buffers, each in DJL's NDArray encoding.
   */
  public byte[] saveState(ParameterList parameters) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      Map<String, Slot> named = new LinkedHashMap<>();
      for (Pair<String, Parameter> p : parameters) {
        Slot slot = slots.get(p.getValue().getId());
        if (slot != null) {
          named.put(p.getKey(), slot);
        }
      }
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(kind());
      out.writeInt(named.size());
      for (Map.Entry<String, Slot> entry : named.entrySet()) {
        out.writeUTF(entry.getKey());
        out.writeInt(entry.getValue().updates);
        out.writeInt(entry.getValue().buffers.length);
        for (NDArray buffer : entry.getValue().buffers) {
          byte[] encoded = buffer.encode();
          out.writeInt(encoded.length);
          out.write(encoded);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces this optimiser's state with one written by {@link #saveState} for a block of the same
   * architecture. Buffers are placed beside each parameter's array (same manager, same device).
   * Refuses, with {@link InvalidDataException} and without changing anything, a state of another
   * optimiser kind, one naming parameters that {@code parameters} lacks or with other shapes, and
   * one that covers only part of the trainable parameters.
   */
  public void loadState(byte[] state, ParameterList parameters) {
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      byName.put(p.getKey(), p.getValue());
    }
    Map<String, Slot> loaded = new HashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
      if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
        throw new InvalidDataException("not an optimiser state of a supported version");
      }
      String kind = in.readUTF();
      if (!kind.equals(kind())) {
        throw new InvalidDataException("the optimiser state is " + kind + "'s, but this run uses " + kind());
      }
      int entries = in.readInt();
      for (int e = 0; e < entries; e++) {
        String name = in.readUTF();
        Parameter parameter = byName.get(name);
        if (parameter == null || !parameter.isInitialized()) {
          throw new InvalidDataException("the optimiser state names parameter " + name + ", which this network lacks");
        }
        NDArray weight = parameter.getArray();
        int updates = in.readInt();
        int count = in.readInt();
        if (updates < 0 || count != bufferNames().size()) {
          throw new InvalidDataException("the optimiser state of " + name + " is malformed");
        }
        Slot slot = new Slot(count);
        loaded.put(parameter.getId(), slot);
        slot.updates = updates;
        for (int b = 0; b < count; b++) {
          int length = in.readInt();
          if (length < 0 || length > in.available()) {
            throw new InvalidDataException("the optimiser state of " + name + " is truncated");
          }
          byte[] encoded = in.readNBytes(length);
          NDArray buffer;
          try {
            buffer = NDArray.decode(weight.getManager(), encoded);
          } catch (RuntimeException ex) {
            throw new InvalidDataException("the optimiser state of " + name + " is malformed", ex);
          }
          slot.buffers[b] = buffer;
          if (!buffer.getShape().equals(weight.getShape()) || buffer.getDataType() != DataType.FLOAT32) {
            throw new InvalidDataException("the optimiser state of " + name + " is " + buffer.getShape()
                + " but the parameter is " + weight.getShape());
          }
        }
      }
      if (in.read() != -1) {
        throw new InvalidDataException("the optimiser state has trailing bytes");
      }
    } catch (EOFException e) {
      closeAll(loaded);
      throw new InvalidDataException("the optimiser state is truncated", e);
    } catch (IOException e) {
      closeAll(loaded);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      closeAll(loaded);
      throw e;
    }
    if (!loaded.isEmpty()) {
      for (Map.Entry<String, Parameter> p : byName.entrySet()) {
        if (p.getValue().requiresGradient() && !loaded.containsKey(p.getValue().getId())) {
          closeAll(loaded);
          throw new InvalidDataException("the optimiser state lacks parameter " + p.getKey());
        }
      }
    }
    closeAll(slots);
    slots.clear();
    slots.putAll(loaded);
  }

  private static void closeAll(Map<String, Slot> slots) {
    for (Slot slot : slots.values()) {
      for (NDArray buffer : slot.buffers) {
        if (buffer != null) {
          buffer.close();
        }
      }
    }
  }
}
