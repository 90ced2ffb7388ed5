package com.kddm.teachers;

import com.kddm.architectures.InputShape;
import java.util.UUID;

/** What a job needs to know of a teacher to check that it fits. */
public record TeacherSummary(UUID id, String architecture, int featureSize, InputShape inputShape, int classes) {}
