package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchingTest {

  @Test
  void batchesCoverEverySampleOnce() {
    assertThat(DistillationTrainer.batchEnds(10, 4)).containsExactly(4, 8, 10);
    assertThat(DistillationTrainer.batchEnds(8, 4)).containsExactly(4, 8);
    assertThat(DistillationTrainer.batchEnds(3, 4)).containsExactly(3);
  }

  @Test
  void aLoneLastSampleJoinsThePreviousBatchBecauseBatchNormCannotTrainOnOne() {
    assertThat(DistillationTrainer.batchEnds(9, 4)).containsExactly(4, 9);
    assertThat(DistillationTrainer.batchEnds(129, 128)).containsExactly(129);
    assertThat(DistillationTrainer.batchEnds(1, 4)).containsExactly(1);
  }
}
