package com.kddm.teachers;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/** Registers the student of a finished job as a teacher. */
record RegisterTeacherRequest(@NotNull UUID fromJob, @Size(max = 200) String name) {}
