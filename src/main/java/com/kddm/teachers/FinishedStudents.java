package com.kddm.teachers;

import java.util.Optional;
import java.util.UUID;

/**
 * Where a teacher registered {@code fromJob} comes from. Declared here and implemented by the jobs
 * feature, so that jobs may depend on teachers and not the other way round.
 */
public interface FinishedStudents {

  /** The stored student of a job, or why there is none. */
  sealed interface Lookup permits Found, Missing {}

  record Found(String blobKey) implements Lookup {}

  record Missing(String reason) implements Lookup {}

  Optional<Lookup> studentOf(UUID jobId);
}
