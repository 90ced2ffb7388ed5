package com.kddm.teachers;

import com.kddm.architectures.InputShape;
import java.util.UUID;

/** The form fields that come with an uploaded teacher file. */
record UploadedTeacher(String name, String architecture, InputShape inputShape, UUID datasetId) {}
