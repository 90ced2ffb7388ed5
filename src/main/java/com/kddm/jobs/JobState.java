package com.kddm.jobs;

/** Transitional states end in -ING, terminal ones are past participles. */
public enum JobState {
  QUEUED,
  RUNNING,
  CANCELLING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
