package com.kddm.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.kddm.architectures.ArchitectureSpec;
import com.kddm.distances.DistanceKind;
import com.kddm.distances.FeatureBatch;
import com.kddm.distances.FeatureDistance;
import com.kddm.testing.SyntheticImages;
import com.kddm.training.DistillationSettings;
import com.kddm.training.DistillationTrainer;
import com.kddm.training.LabelledImages;
import com.kddm.training.TrainingListener;
import com.kddm.training.TrainingPlan;
import com.kddm.training.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long each distance costs on CPU at the method's scale (batch 128, 512-d features, 10
 * classes): the distance alone (forward and backward), and a whole KDDM training step of a 512-d
 * MLP student against a 512-d MLP teacher on 28×28 images. A benchmark, not a test: it asserts
 * nothing and is excluded from the default run.
 *
 * <p>Run: {@code ./mvnw test -Dgroups=benchmark -Dexcluded.test.groups=none -Dtest=DistanceStepBenchmark}.
 * Writes target/benchmarks/distance-steps.md.
 */
@Tag("benchmark")
class DistanceStepBenchmark {

  private static final int N = 128;
  private static final int D = 512;
  private static final int CLASSES = 10;

  private static final Map<String, Map<String, Object>> VARIANTS = new LinkedHashMap<>();

  static {
    for (DistanceKind kind : DistanceKind.values()) {
      VARIANTS.put(kind.id(), Map.of());
    }
    VARIANTS.put("w2 (solver=sinkhorn)", Map.of("solver", "sinkhorn"));
    VARIANTS.put("gaussian-w2 (covariance=diagonal)", Map.of("covariance", "diagonal"));
    VARIANTS.put("gaussian-kl (covariance=diagonal)", Map.of("covariance", "diagonal"));
    VARIANTS.put("class-gaussian-w2 (covariance=diagonal)", Map.of("covariance", "diagonal"));
    VARIANTS.put("mmd (kernel=polynomial)", Map.of("kernel", "polynomial"));
  }

  @Test
  void distanceAndTrainingStepTimes() throws IOException {
    List<String> rows = new ArrayList<>();
    rows.add("| distance | distance fwd+bwd, median ms | whole training step, median ms |");
    rows.add("|---|---|---|");
    LabelledImages data = SyntheticImages.generate(N * 9, CLASSES, 28, 1);
    double baseline = trainingStepMillis(data, null);
    rows.add("| (none: cross-entropy only) | - | " + format(baseline) + " |");
    // -Dbenchmark.only=gaussian times only the variants whose name contains it.
    String only = System.getProperty("benchmark.only", "");
    for (Map.Entry<String, Map<String, Object>> variant : VARIANTS.entrySet()) {
      if (!variant.getKey().contains(only)) {
        continue;
      }
      DistanceKind kind = DistanceKind.named(variant.getKey().split(" ")[0]);
      double distance = distanceMillis(kind.create(variant.getValue()));
      double step = trainingStepMillis(data, new DistillationSettings(kind, variant.getValue(), 1e-3f));
      rows.add("| " + variant.getKey() + " | " + format(distance) + " | " + format(step) + " |");
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println(table);
    Path out = Path.of("target/benchmarks/distance-steps.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "batch " + N + ", features " + D + ", classes " + CLASSES + ", threads "
        + Runtime.getRuntime().availableProcessors() + ", " + Engine.getInstance().getEngineName() + " "
        + Engine.getInstance().getVersion() + "\n\n" + table);
  }

  private static double distanceMillis(FeatureDistance distance) {
    double[] times = new double[15];
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int i = -3; i < times.length; i++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray student = scope.randomNormal(new Shape(N, D)).maximum(0f);
          NDArray teacher = scope.randomNormal(0, 2, new Shape(N, D), DataType.FLOAT32).maximum(0f);
          NDArray labels = scope.randomInteger(0, CLASSES, new Shape(N), DataType.INT32);
          NDArray studentLogits = scope.randomNormal(new Shape(N, CLASSES));
          NDArray teacherLogits = scope.randomNormal(new Shape(N, CLASSES));
          student.setRequiresGradient(true);
          studentLogits.setRequiresGradient(true);
          long start = System.nanoTime();
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = distance.between(new FeatureBatch(student, teacher, labels, studentLogits, teacherLogits));
            collector.backward(loss);
          }
          student.getGradient().toFloatArray();
          if (i >= 0) {
            times[i] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
    }
    return median(times);
  }

  private static double trainingStepMillis(LabelledImages data, DistillationSettings distillation) {
    TrainingSettings settings = new TrainingSettings(1, N, 1e-3f, "adam", 1, 1.0 / 9);
    List<Long> stamps = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(int epoch, long step, long totalSteps) {
        stamps.add(System.nanoTime());
      }
    };
    if (distillation == null) {
      run(new TrainingPlan(data, null, new ArchitectureSpec("mlp", D), null, null, settings), listener);
    } else {
      TrainingPlan teacherPlan = new TrainingPlan(data, null, new ArchitectureSpec("mlp", D), null, null, settings);
      try (DistillationTrainer.Outcome teacher = new DistillationTrainer().train(teacherPlan, new TrainingListener() {})) {
        run(new TrainingPlan(data, null, new ArchitectureSpec("mlp", D), teacher.student(), distillation, settings), listener);
      }
    }
    double[] gaps = new double[stamps.size() - 2];
    for (int i = 2; i < stamps.size(); i++) {
      gaps[i - 2] = (stamps.get(i) - stamps.get(i - 1)) / 1e6;
    }
    return median(gaps);
  }

  private static void run(TrainingPlan plan, TrainingListener listener) {
    try (DistillationTrainer.Outcome ignored = new DistillationTrainer().train(plan, listener)) {
      // only the step times matter
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String format(double millis) {
    return String.format(java.util.Locale.ROOT, "%.1f", millis);
  }
}
