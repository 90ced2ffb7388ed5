package com.kddm.teachers;

import com.kddm.architectures.InputShape;
import com.kddm.training.Normalization;
import java.util.UUID;

/**
 * The form fields that come with an uploaded teacher file; {@code inputNormalization} is null when
 * none was given.
 */
record UploadedTeacher(String name, String architecture, InputShape inputShape, UUID datasetId,
    Normalization inputNormalization) {}
