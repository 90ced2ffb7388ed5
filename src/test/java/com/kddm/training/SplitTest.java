package com.kddm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.kddm.architectures.InputShape;
import com.kddm.testing.SyntheticImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {

  @Test
  void theSameSeedDrawsTheSameTestPartAndAnotherSeedAnother() {
    boolean[] a = new Split(0.25, 7).testMask(100);
    assertThat(new Split(0.25, 7).testMask(100)).isEqualTo(a);
    assertThat(new Split(0.25, 8).testMask(100)).isNotEqualTo(a);
    assertThat(IntStream.range(0, 100).filter(i -> a[i]).count()).isEqualTo(25);
    // Pinned: the draw must not change between releases, or stored splits would move.
    assertThat(IntStream.range(0, 100).filter(i -> a[i]).limit(5).toArray()).containsExactly(3, 7, 14, 17, 27);
  }

  @Test
  void applyingKeepsTheFileOrderInBothParts() {
    LabelledImages images = SyntheticImages.generate(40, 4, 8, 3);
    Split.Parts parts = new Split(0.3, 1).apply(images);
    assertThat(parts.train().size()).isEqualTo(28);
    assertThat(parts.test().size()).isEqualTo(12);
    boolean[] test = new Split(0.3, 1).testMask(40);
    int[] testIndices = IntStream.range(0, 40).filter(i -> test[i]).toArray();
    assertThat(parts.test().labels()).isEqualTo(images.subset(testIndices).labels());
    assertThat(parts.test().pixels()).isEqualTo(images.subset(testIndices).pixels());
  }

  @Test
  void splitsThatLeaveAPartEmptyOrOneClassAreRefused() {
    assertThatThrownBy(() -> new Split(0.01, 0).testMask(10)).isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("leaves an empty test part");
    assertThatThrownBy(() -> new Split(0.99, 0).testMask(10)).isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("leaves an empty training part");
    assertThatThrownBy(() -> new Split(0.5, 0).testMask(new int[] {0, 0, 0, 1})).isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("leaves a single class");
    assertThatThrownBy(() -> new Split(1.0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scanningAnIdxFileMeasuresTheImagesNotExcluded() throws IOException {
    LabelledImages images = SyntheticImages.generate(30, 3, 8, 9);
    boolean[] test = new Split(0.2, 5).testMask(30);
    IdxFormat.Scan scan = IdxFormat.scanImages(new ByteArrayInputStream(SyntheticImages.imagesIdx(images, true)), "x", test);
    assertThat(scan.images().count()).isEqualTo(30);
    assertThat(scan.images().shape()).isEqualTo(new InputShape(1, 8, 8));
    assertThat(scan.statistics()).isEqualTo(Normalization.of(new Split(0.2, 5).apply(images).train()));
  }
}
