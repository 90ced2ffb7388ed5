package com.kddm.distances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Array helpers the distances share: pairwise costs, matched pairs, host copies, log-sum-exp. */
final class Pairwise {

  private Pairwise() {}

  /**
   * All squared Euclidean distances between the rows of {@code a} (n × d) and {@code b} (m × d),
   * n × m, as ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j (DJL has no cdist). Rounding can make the expansion
   * slightly negative; it is clamped at 0. Differentiable with respect to both arguments.
   */
  static NDArray squaredDistances(NDArray a, NDArray b) {
    NDArray aNorms = a.square().sum(new int[] {1}, true);
    NDArray bNorms = b.square().sum(new int[] {1}, true).transpose();
    return aNorms.add(bNorms).sub(a.matMul(b.transpose()).mul(2)).maximum(0);
  }

  /**
   * ‖student_i − teacher_{match[i]}‖² for every row i, a vector of n: the cost of a permutation
   * plan, row by row, computed on the matched pairs (exact, and cheaper than a full cost matrix).
   */
  static NDArray matchedSquaredDistances(NDArray student, NDArray teacher, int[] match) {
    NDArray matchedTeacher = teacher.get(student.getManager().create(match));
    return student.sub(matchedTeacher).square().sum(new int[] {1});
  }

  /** log Σ exp(x) along {@code axis}, keeping that axis (size 1); stable for large |x|. */
  static NDArray logSumExp(NDArray x, int axis) {
    int[] axes = {axis};
    try (NDArray max = x.max(axes, true);
        NDArray shifted = x.sub(max);
        NDArray exp = shifted.exp();
        NDArray sum = exp.sum(axes, true);
        NDArray log = sum.log()) {
      return log.add(max);
    }
  }

  /** A detached copy in double precision on the JVM, row-major. */
  static double[] hostDoubles(NDArray array) {
    return array.getDataType() == DataType.FLOAT64
        ? array.toDoubleArray()
        : array.toType(DataType.FLOAT64, false).toDoubleArray();
  }

  /** The array's values as doubles, converted to the array's type and device. */
  static NDArray like(NDArray model, double[] values) {
    return model.getManager().create(values).toType(model.getDataType(), false);
  }

  static void requireSameShape(String what, NDArray student, NDArray teacher) {
    if (student == null || teacher == null) {
      throw new IllegalArgumentException("this distance needs the student's and the teacher's " + what);
    }
    if (!student.getShape().equals(teacher.getShape()) || student.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          what + " must be two matrices of the same shape, got student " + student.getShape()
              + " and teacher " + teacher.getShape());
    }
  }

  /** The labels as ints, checked against the batch size. */
  static int[] labels(FeatureBatch batch, long n) {
    if (batch.labels() == null) {
      throw new IllegalArgumentException("this distance needs the batch's labels");
    }
    int[] labels = batch.labels().toType(DataType.INT32, false).toIntArray();
    if (labels.length != n) {
      throw new IllegalArgumentException("got " + labels.length + " labels for a batch of " + n);
    }
    return labels;
  }
}
