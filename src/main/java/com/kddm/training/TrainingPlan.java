package com.kddm.training;

import com.kddm.architectures.ArchitectureSpec;

/**
 * One training run: a student trained on {@code data} (split into fit and validation parts by the
 * seed), evaluated at the end on {@code test} when given, else on the validation part. With a
 * teacher and distillation settings it is a KDDM run; without them, plain supervised training.
 * The student sees its images normalised with {@code inputNormalization} (usually the dataset's
 * statistics); the teacher is given the same images and normalises them its own way.
 */
public record TrainingPlan(
    LabelledImages data,
    LabelledImages test,
    ArchitectureSpec student,
    TeacherModel teacher,
    DistillationSettings distillation,
    TrainingSettings settings,
    Normalization inputNormalization) {

  /** A plan whose student sees images scaled to [0, 1] and nothing more. */
  public TrainingPlan(LabelledImages data, LabelledImages test, ArchitectureSpec student, TeacherModel teacher,
      DistillationSettings distillation, TrainingSettings settings) {
    this(data, test, student, teacher, distillation, settings, Normalization.NONE);
  }

  public TrainingPlan {
    if (inputNormalization == null) {
      throw new IllegalArgumentException("inputNormalization is required; Normalization.NONE for none");
    }
    try {
      inputNormalization.requireChannels(data.shape().channels(), "the input normalisation");
    } catch (InvalidDataException e) {
      throw new InvalidDataException(e.getMessage() + " (" + data.shape() + " images)");
    }
    if ((teacher == null) != (distillation == null)) {
      throw new IllegalArgumentException("a teacher and distillation settings go together");
    }
    if (test != null && !test.shape().equals(data.shape())) {
      throw new InvalidDataException("test images are " + test.shape() + " but training images are " + data.shape());
    }
    if (teacher != null) {
      int classes = classCount(data, test);
      if (!teacher.inputShape().equals(data.shape())) {
        throw new InvalidDataException(
            "the teacher takes " + teacher.inputShape() + " inputs but the dataset has " + data.shape());
      }
      if (teacher.classes() != classes) {
        throw new InvalidDataException(
            "the teacher predicts " + teacher.classes() + " classes but the dataset has " + classes);
      }
    }
  }

  /** Classes of the dataset: the largest label of either part, plus one. */
  public int classes() {
    return classCount(data, test);
  }

  private static int classCount(LabelledImages data, LabelledImages test) {
    return Math.max(data.classCount(), test == null ? 0 : test.classCount());
  }
}
