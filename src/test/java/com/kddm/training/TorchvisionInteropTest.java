package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.kddm.architectures.Architecture;
import com.kddm.architectures.InputShape;
import com.kddm.architectures.NetworkOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The safetensors files agree with torchvision itself, both ways, within 1e-4 on logits and
 * features: students written here run in torchvision ({@code scripts/check_safetensors_in_torch.py}),
 * and torchvision networks ({@code scripts/make-safetensors-fixtures.py}, which also checks the
 * committed key lists against torchvision) run here. Skipped when {@code /usr/bin/python3} cannot
 * import torch and torchvision (Debian's python3-torch, python3-torchvision; CI installs them);
 * {@code KDDM_TORCH_PYTHON} names another interpreter.
 */
class TorchvisionInteropTest {

  static final double TOLERANCE = 1e-4;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path SCRIPTS = Path.of("scripts");
  private static String python;

  private Path dir;

  @BeforeAll
  static void torchvisionIsThere() throws Exception {
    python = System.getenv().getOrDefault("KDDM_TORCH_PYTHON", "/usr/bin/python3");
    boolean available;
    try {
      Process probe = new ProcessBuilder(python, "-c", "import torch, torchvision").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      available = probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      available = false;
    }
    assumeTrue(available, python + " cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)");
  }

  @BeforeEach
  void tempDir() throws IOException {
    dir = Files.createTempDirectory("kddm-torchvision");
  }

  @AfterEach
  void removeTempDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  record Case(String architecture, InputShape input, int classes) {}

  @Test
  void studentsWrittenHereRunInTorchvisionWithTheSameOutputs() throws Exception {
    List<Case> cases = List.of(
        new Case("resnet18", new InputShape(3, 32, 32), 10),
        new Case("resnet18-cifar", new InputShape(1, 16, 16), 4),
        new Case("resnet34-cifar", new InputShape(3, 8, 8), 3),
        new Case("mobilenetv2", new InputShape(3, 32, 32), 5));
    List<String> jobs = new ArrayList<>();
    List<float[][]> expected = new ArrayList<>();
    Random random = new Random(7);
    for (Case c : cases) {
      try (Network network = TorchvisionSafetensorsTest.trained(c.architecture(), c.input(), c.classes());
          NDManager manager = NDManager.newBaseManager()) {
        Path weights = dir.resolve(c.architecture() + ".safetensors");
        try (OutputStream out = Files.newOutputStream(weights)) {
          TorchvisionSafetensors.write(network, out);
        }
        float[] x = new float[2 * c.input().pixels()];
        for (int i = 0; i < x.length; i++) {
          x[i] = random.nextFloat();
        }
        Path input = dir.resolve(c.architecture() + ".json");
        Files.writeString(input, JSON.writeValueAsString(Map.of("shape", c.input().batchOf(2).getShape(), "input", x)));
        NetworkOutput out = network.infer(manager.create(x, c.input().batchOf(2)));
        expected.add(new float[][] {out.logits().toFloatArray(), out.features().toFloatArray()});
        jobs.add(c.architecture() + ":" + weights + ":" + input);
      }
    }
    List<String> command = new ArrayList<>(List.of(python, SCRIPTS.resolve("check_safetensors_in_torch.py").toString()));
    command.addAll(jobs);
    JsonNode results = JSON.readTree(run(command));
    for (int i = 0; i < cases.size(); i++) {
      String name = cases.get(i).architecture() + " DJL -> torchvision";
      compare(name + " logits", expected.get(i)[0], flatten(results.get(i).get("logits")));
      compare(name + " features", expected.get(i)[1], flatten(results.get(i).get("features")));
    }
  }

  @Test
  void torchvisionNetworksRunHereWithTheSameOutputs() throws Exception {
    List<String> architectures = List.of("resnet18", "resnet18-cifar", "resnet34-cifar", "mobilenetv2");
    List<String> command = new ArrayList<>(List.of(python, SCRIPTS.resolve("make-safetensors-fixtures.py").toString(),
        dir.toString(), "--check-keys", "src/test/resources/torchvision"));
    command.addAll(architectures);
    run(command);
    for (String architecture : architectures) {
      JsonNode fixture = JSON.readTree(Files.readString(dir.resolve(architecture + ".json")));
      JsonNode shape = fixture.get("shape");
      InputShape input = new InputShape(shape.get(1).asInt(), shape.get(2).asInt(), shape.get(3).asInt());
      try (Network network = TorchvisionSafetensors.read(
              Files.newInputStream(dir.resolve(architecture + ".safetensors")), Architecture.named(architecture), input);
          NDManager manager = NDManager.newBaseManager()) {
        assertThat(network.classes()).isEqualTo(4);
        NDArray x = manager.create(flatten(fixture.get("input")), input.batchOf(shape.get(0).asInt()));
        NetworkOutput out = network.infer(x);
        compare(architecture + " torchvision -> DJL logits", flatten(fixture.get("logits")), out.logits().toFloatArray());
        compare(architecture + " torchvision -> DJL features", flatten(fixture.get("features")), out.features().toFloatArray());
      }
    }
  }

  private static void compare(String what, float[] expected, float[] actual) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    double max = 0;
    double scale = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    System.out.printf("%s: max |difference| %.3g (max |value| %.3g)%n", what, max, scale);
    assertThat(max).as(what + " max |difference|").isLessThanOrEqualTo(TOLERANCE);
    assertThat(scale).as(what + " are not all zero").isPositive();
  }

  private static float[] flatten(JsonNode node) {
    List<Float> values = new ArrayList<>();
    collect(node, values);
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static void collect(JsonNode node, List<Float> into) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, into));
    } else {
      into.add((float) node.asDouble());
    }
  }

  private static String run(List<String> command) throws Exception {
    Path stderr = Files.createTempFile(dir(), "stderr", ".txt");
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("python finished in 5 minutes").isTrue();
    String errors = Files.readString(stderr);
    Files.delete(stderr);
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + errors).isZero();
    return stdout;
  }

  private static Path dir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
