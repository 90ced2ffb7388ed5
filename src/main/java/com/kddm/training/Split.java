package com.kddm.training;

import java.util.Random;

/**
 * A test part drawn from a training part that came without one: {@code round(n × fraction)}
 * samples chosen by a permutation seeded with {@code seed} (Fisher–Yates over {@link Random}, whose
 * sequence Java specifies, so the same file, fraction and seed give the same parts anywhere). Both
 * parts keep the file's order.
 */
public record Split(double fraction, long seed) {

  public Split {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("a test fraction lies strictly between 0 and 1, got " + fraction);
    }
  }

  /** The two parts of a split set of images. */
  public record Parts(LabelledImages train, LabelledImages test) {}

  /** Which of {@code n} samples go to the test part; refuses a split that leaves a part empty. */
  public boolean[] testMask(int n) {
    int testCount = (int) Math.round(n * fraction);
    if (testCount < 1 || testCount > n - 1) {
      throw new InvalidDataException("testFraction " + fraction + " of " + n + " samples leaves "
          + (testCount < 1 ? "an empty test part" : "an empty training part") + "; both parts need samples");
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] test = new boolean[n];
    for (int i = 0; i < testCount; i++) {
      test[order[i]] = true;
    }
    return test;
  }

  /** Splits labels first (what an upload can do before it reads any image): refuses a training part of one class. */
  public boolean[] testMask(int[] labels) {
    boolean[] test = testMask(labels.length);
    int first = -1;
    for (int i = 0; i < labels.length; i++) {
      if (!test[i]) {
        if (first < 0) {
          first = labels[i];
        } else if (labels[i] != first) {
          return test;
        }
      }
    }
    throw new InvalidDataException("testFraction " + fraction + " with splitSeed " + seed
        + " leaves a single class (" + first + ") in the training part; a classifier needs at least two");
  }

  public Parts apply(LabelledImages images) {
    boolean[] test = testMask(images.labels());
    int testCount = 0;
    for (boolean t : test) {
      testCount += t ? 1 : 0;
    }
    int[] trainIndices = new int[images.size() - testCount];
    int[] testIndices = new int[testCount];
    for (int i = 0, a = 0, b = 0; i < test.length; i++) {
      if (test[i]) {
        testIndices[b++] = i;
      } else {
        trainIndices[a++] = i;
      }
    }
    return new Parts(images.subset(trainIndices), images.subset(testIndices));
  }
}
