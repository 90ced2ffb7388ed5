package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  private static TrainingSettings settings(String schedule, int epochs, int stepEpochs, float gamma) {
    return new TrainingSettings(epochs, 32, 0.01f, "sgd", 0.9f, 0f, schedule, 1e-4f, stepEpochs, gamma, "none", 4, 1, 0.1);
  }

  @Test
  void cosineFallsFromTheBaseRateToTheFinalRateOverAllSteps() {
    LearningRateSchedule cosine = new LearningRateSchedule(settings("cosine", 15, 1, 1f), 100);
    assertThat(cosine.at(0)).isCloseTo(0.01, within(1e-9));
    assertThat(cosine.at(1499)).isCloseTo(1e-4, within(1e-9));
    assertThat(cosine.at(749)).isCloseTo((0.01 + 1e-4) / 2, within(1e-5));
    assertThat(cosine.at(1000)).isLessThan(cosine.at(999));
  }

  @Test
  void stepMultipliesByGammaEveryStepEpochs() {
    LearningRateSchedule step = new LearningRateSchedule(settings("step", 9, 3, 0.1f), 10);
    assertThat(step.at(29)).isCloseTo(0.01, within(1e-9));
    assertThat(step.at(30)).isCloseTo(0.001, within(1e-9));
    assertThat(step.at(60)).isCloseTo(0.0001, within(1e-9));
  }

  @Test
  void constantStaysPut() {
    LearningRateSchedule constant = new LearningRateSchedule(settings("constant", 5, 1, 1f), 10);
    assertThat(constant.at(0)).isEqualTo(constant.at(49));
  }
}
