package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.architectures.ArchitectureSpec;
import com.kddm.testing.SyntheticImages;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Workers train on a thread of their own, where PyTorch's (thread-local) grad mode starts enabled;
 * the optimisers must update the weights in place there too.
 */
class ResumableOptimizerThreadTest {

  @Test
  void trainsOnAFreshThreadWithBothOptimizers() throws Exception {
    LabelledImages data = SyntheticImages.generate(96, 3, 16, 2);
    for (String optimizer : new String[] {"adam", "sgd"}) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicReference<Double> accuracy = new AtomicReference<>();
      Thread worker = new Thread(() -> {
        TrainingPlan plan = new TrainingPlan(data, null, new ArchitectureSpec("mlp", 8), null, null,
            new TrainingSettings(2, 16, 0.01f, optimizer, 1, 0.25));
        try (DistillationTrainer.Outcome outcome = new DistillationTrainer().train(plan, new TrainingListener() {})) {
          accuracy.set(outcome.evaluation().accuracy());
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      worker.start();
      worker.join();
      assertThat(failure.get()).as(optimizer).isNull();
      assertThat(accuracy.get()).as(optimizer).isNotNull();
    }
  }
}
