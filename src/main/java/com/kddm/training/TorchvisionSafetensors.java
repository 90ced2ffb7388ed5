package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.kddm.architectures.Architecture;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.TorchvisionStateDict;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A catalog network's weights as a safetensors file named by torchvision's {@code state_dict} keys
 * ({@link TorchvisionStateDict}), for resnet18, resnet34 (and their -cifar variants) and
 * mobilenetv2: what {@code torchvision.models.resnet18(num_classes=k).state_dict()} saved with
 * {@code safetensors.torch.save_file} looks like, and what its {@code load_state_dict} takes.
 *
 * <p>The format: an 8-byte little-endian header length, a JSON header {@code {name: {dtype, shape,
 * data_offsets: [begin, end]}}} (plus an optional {@code __metadata__} of strings), then the raw
 * little-endian data, offsets relative to the end of the header.
 *
 * <p>The codec is written here rather than taken from DJL's {@code NDList} safetensors support
 * because reading must check every key, shape and dtype against the network before any data is
 * allocated (and say which key is wrong), bound the header and the arrays a file may declare, and
 * stream the data into the network's own arrays; and writing must give the same bytes every time,
 * in torchvision's key order, so that a download's ETag is stable.
 */
public final class TorchvisionSafetensors {

  /** The header limit of the reference implementation. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String METADATA = "__metadata__";
  /** Metadata keys for the per-channel statistics inputs are normalised with after scaling to [0, 1]. */
  static final String INPUT_MEAN = "kddm.input_mean";
  static final String INPUT_STD = "kddm.input_std";
  private static final String BATCHES_TRACKED = ".num_batches_tracked";

  private TorchvisionSafetensors() {}

  /** Whether {@code architecture} has torchvision names, so that it can be read or written here. */
  public static boolean supports(Architecture architecture) {
    return switch (architecture) {
      case RESNET18, RESNET34, RESNET18_CIFAR, RESNET34_CIFAR, MOBILENETV2 -> true;
      default -> false;
    };
  }

  /** The catalog ids that {@link #supports} accepts, for messages. */
  public static List<String> supportedIds() {
    return Arrays.stream(Architecture.values()).filter(TorchvisionSafetensors::supports).map(Architecture::id).toList();
  }

  /** Whether the first bytes of a file look like safetensors: a plausible header length, then '{'. */
  public static boolean looksLike(byte[] firstNine, long fileSize) {
    if (firstNine.length < 9 || firstNine[8] != '{') {
      return false;
    }
    long length = ByteBuffer.wrap(firstNine, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return length >= 2 && length <= MAX_HEADER_BYTES && 8 + length <= fileSize;
  }

  /**
   * Reads a torchvision state dict into a new {@code architecture} network for images of {@code
   * input}. The classes are taken from {@code fc.weight} (ResNets) or {@code classifier.1.weight}
   * (MobileNetV2). Every key the network has must be present, float32, with the network's shape;
   * {@code num_batches_tracked} counters are ignored; any other key is refused. Refusals are {@link
   * InvalidDataException}s naming the key.
   */
  public static Network read(InputStream in, Architecture architecture, InputShape input) throws IOException {
    return read(in, architecture, input, ai.djl.engine.Engine.getInstance().defaultDevice());
  }

  /** As {@link #read(InputStream, Architecture, InputShape)}, with the network on {@code device}. */
  public static Network read(InputStream in, Architecture architecture, InputShape input, ai.djl.Device device)
      throws IOException {
    if (!supports(architecture)) {
      throw new InvalidDataException(architecture.id() + " has no torchvision counterpart; a safetensors state dict"
          + " can be read for " + String.join(", ", supportedIds()));
    }
    DataInputStream data = new DataInputStream(in);
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, Entry> entries = readHeader(data, metadata);
    String headKey = architecture == Architecture.MOBILENETV2 ? "classifier.1.weight" : "fc.weight";
    Entry head = entries.get(headKey);
    if (head == null) {
      throw new InvalidDataException("missing key " + headKey + " (the classifier, which gives the number of classes)"
          + "; is this a torchvision " + architecture.id() + " state dict?");
    }
    if (head.shape.length != 2 || head.shape[0] < 2) {
      throw new InvalidDataException(headKey + " has shape " + Arrays.toString(head.shape)
          + "; expected [classes, features] with at least two classes");
    }
    try {
      architecture.checkInput(input);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(e.getMessage(), e);
    }
    ArchitectureSpec spec = ArchitectureSpec.withDefaultFeatureSize(architecture.id());
    Network network = Network.initialised(spec, input, (int) head.shape[0], device);
    try {
      Map<String, NDArray> expected = TorchvisionStateDict.of(architecture, network.model().getBlock());
      check(entries, expected, architecture, input);
      copy(data, entries, expected);
      network.normalizingInputsWith(normalizationOf(metadata));
      network.checkForward();
      return network;
    } catch (InvalidDataException | IOException e) {
      network.close();
      throw e;
    } catch (RuntimeException e) {
      network.close();
      throw new InvalidDataException("the state dict does not run as a " + architecture.id() + " network for input "
          + input + " (" + e.getMessage() + ")", e);
    }
  }

  /** Writes {@code network}'s weights with torchvision's keys, in torchvision's order. */
  public static void write(Network network, OutputStream out) throws IOException {
    Architecture architecture = network.spec().architecture();
    if (!supports(architecture)) {
      throw new IllegalArgumentException(architecture.id() + " has no torchvision counterpart; safetensors with"
          + " torchvision names are written for " + String.join(", ", supportedIds()));
    }
    Map<String, NDArray> dict = TorchvisionStateDict.of(architecture, network.model().getBlock());
    // torch's BatchNorm keeps a num_batches_tracked counter after running_var; DJL has none, so it
    // is written as an int64 zero, which lets load_state_dict(strict=True) take the file.
    Map<String, Object> header = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    Normalization normalization = network.inputNormalization();
    if (!normalization.isNone()) {
      // Who loads the weights elsewhere must prepare inputs the same way; this service reads it back.
      metadata.put(INPUT_MEAN, Normalization.join(normalization.mean()));
      metadata.put(INPUT_STD, Normalization.join(normalization.std()));
    }
    header.put(METADATA, metadata);
    List<Object> arrays = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, NDArray> entry : dict.entrySet()) {
      NDArray array = entry.getValue();
      if (array.getDataType() != DataType.FLOAT32) {
        throw new IllegalStateException(entry.getKey() + " is " + array.getDataType() + ", expected float32");
      }
      long bytes = 4 * array.size();
      header.put(entry.getKey(), headerEntry("F32", array.getShape().getShape(), offset, offset + bytes));
      arrays.add(array);
      offset += bytes;
      if (entry.getKey().endsWith(".running_var")) {
        String counter = entry.getKey().substring(0, entry.getKey().length() - ".running_var".length()) + BATCHES_TRACKED;
        header.put(counter, headerEntry("I64", new long[0], offset, offset + 8));
        arrays.add(null);
        offset += 8;
      }
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // the reference writer aligns the data to 8 bytes with spaces
    ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    prefix.putLong(padded).put(json);
    while (prefix.hasRemaining()) {
      prefix.put((byte) ' ');
    }
    out.write(prefix.array());
    for (Object array : arrays) {
      if (array == null) {
        out.write(new byte[8]);
      } else {
        float[] values = ((NDArray) array).toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        out.write(bytes.array());
      }
    }
    out.flush();
  }

  private static Map<String, Object> headerEntry(String dtype, long[] shape, long begin, long end) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("dtype", dtype);
    entry.put("shape", shape);
    entry.put("data_offsets", new long[] {begin, end});
    return entry;
  }

  /** One tensor of the header. */
  record Entry(String name, String dtype, long[] shape, long begin, long end) {}

  /** Reads and checks the header; the stream is left at the start of the data. */
  static Map<String, Entry> readHeader(DataInputStream in) throws IOException {
    return readHeader(in, new LinkedHashMap<>());
  }

  /** Reads the header; its {@code __metadata__} strings go into {@code metadata}. */
  static Map<String, Entry> readHeader(DataInputStream in, Map<String, String> metadata) throws IOException {
    byte[] lengthBytes = new byte[8];
    try {
      in.readFully(lengthBytes);
    } catch (EOFException e) {
      throw new InvalidDataException("not a safetensors file: shorter than its 8-byte header length", e);
    }
    long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (length < 2 || length > MAX_HEADER_BYTES) {
      throw new InvalidDataException("not a safetensors file: a header of " + length + " bytes (at most "
          + MAX_HEADER_BYTES + ")");
    }
    byte[] headerBytes = in.readNBytes((int) length); // reads in chunks: a false length allocates nothing up front
    if (headerBytes.length < length) {
      throw new InvalidDataException("not a safetensors file: it ends inside its " + length + "-byte header");
    }
    JsonNode root;
    try {
      root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw new InvalidDataException("not a safetensors file: the header is not JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidDataException("not a safetensors file: the header is not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> property : root.properties()) {
      String name = property.getKey();
      if (name.equals(METADATA)) {
        if (property.getValue().isObject()) {
          property.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asString("")));
        }
        continue;
      }
      entries.put(name, entry(name, property.getValue()));
    }
    return entries;
  }

  private static Entry entry(String name, JsonNode node) {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || !dtype.isString() || shape == null || !shape.isArray() || offsets == null
        || !offsets.isArray() || offsets.size() != 2) {
      throw new InvalidDataException("malformed safetensors header entry for " + name
          + ": expected {dtype, shape, data_offsets: [begin, end]}");
    }
    long[] dims = new long[shape.size()];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      JsonNode dim = shape.get(i);
      if (!dim.isIntegralNumber() || dim.asLong() < 0 || dim.asLong() > Integer.MAX_VALUE) {
        throw new InvalidDataException("malformed shape for " + name + ": " + shape);
      }
      dims[i] = dim.asLong();
      try {
        elements = Math.multiplyExact(elements, dims[i]);
      } catch (ArithmeticException e) {
        throw new InvalidDataException("the shape of " + name + " is too large: " + shape, e);
      }
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin) {
      throw new InvalidDataException("malformed data_offsets for " + name + ": " + offsets);
    }
    int itemSize = itemSize(dtype.asString());
    if (itemSize > 0 && end - begin != elements * itemSize) {
      throw new InvalidDataException(name + " declares shape " + Arrays.toString(dims) + " of " + dtype.asString()
          + " (" + elements * itemSize + " bytes) but data_offsets span " + (end - begin) + " bytes");
    }
    return new Entry(name, dtype.asString(), dims, begin, end);
  }

  private static int itemSize(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> 0;
    };
  }

  private static void check(Map<String, Entry> entries, Map<String, NDArray> expected, Architecture architecture,
      InputShape input) {
    Set<String> names = expected.keySet();
    for (Entry entry : entries.values()) {
      String name = entry.name();
      if (name.endsWith(BATCHES_TRACKED)) {
        String layer = name.substring(0, name.length() - BATCHES_TRACKED.length());
        if (names.contains(layer + ".running_mean")) {
          continue; // torch's counter; DJL keeps none and inference does not use it
        }
      }
      if (!names.contains(name)) {
        throw new InvalidDataException("unknown key " + name + ": a torchvision " + architecture.id()
            + " state dict has no such entry (is this another architecture?)");
      }
    }
    List<String> missing = names.stream().filter(name -> !entries.containsKey(name)).toList();
    if (!missing.isEmpty()) {
      throw new InvalidDataException("missing key " + missing.get(0)
          + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : "") + " of a torchvision "
          + architecture.id() + " state dict");
    }
    for (Map.Entry<String, NDArray> wanted : expected.entrySet()) {
      Entry entry = entries.get(wanted.getKey());
      if (!entry.dtype().equals("F32")) {
        throw new InvalidDataException(entry.name() + " is " + entry.dtype()
            + "; every weight must be float32 (F32): save model.float().state_dict()");
      }
      long[] shape = wanted.getValue().getShape().getShape();
      if (!Arrays.equals(shape, entry.shape())) {
        String hint = entry.name().equals("conv1.weight") || entry.name().equals("features.0.0.weight")
            ? " (the input has " + input.channels() + " channel(s)" + (architecture.id().startsWith("resnet")
                ? "; resnet18/34 have a 7x7 stem, their -cifar variants a 3x3 one" : "") + ")"
            : "";
        throw new InvalidDataException(entry.name() + " has shape " + Arrays.toString(entry.shape())
            + ", but a " + architecture.id() + " network for input " + input + " expects " + Arrays.toString(shape)
            + hint);
      }
    }
  }

  /** Streams the data section into the network's arrays, tensor by tensor in file order. */
  private static void copy(DataInputStream in, Map<String, Entry> entries, Map<String, NDArray> expected)
      throws IOException {
    List<Entry> byOffset = new ArrayList<>(entries.values());
    byOffset.sort(Comparator.comparingLong(Entry::begin));
    long position = 0;
    for (Entry entry : byOffset) {
      if (entry.begin() < position) {
        throw new InvalidDataException("the data of " + entry.name() + " overlaps the tensor before it");
      }
      try {
        in.skipNBytes(entry.begin() - position);
        NDArray target = expected.get(entry.name());
        if (target == null) {
          in.skipNBytes(entry.end() - entry.begin());
        } else {
          byte[] bytes = new byte[Math.toIntExact(entry.end() - entry.begin())];
          in.readFully(bytes);
          float[] values = new float[bytes.length / 4];
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
          target.set(values);
        }
      } catch (EOFException e) {
        throw new InvalidDataException("the file ends inside the data of " + entry.name() + " (truncated?)", e);
      }
      position = entry.end();
    }
  }

  /** The normalisation recorded in the metadata by {@link #write}, or none. */
  private static Normalization normalizationOf(Map<String, String> metadata) {
    String mean = metadata.get(INPUT_MEAN);
    String std = metadata.get(INPUT_STD);
    if (mean == null && std == null) {
      return Normalization.NONE;
    }
    try {
      return Normalization.of(Normalization.split(mean), Normalization.split(std));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidDataException("the metadata's " + INPUT_MEAN + " and " + INPUT_STD + " are not per-channel"
          + " statistics (" + e.getMessage() + ")");
    }
  }
}
