package com.kddm.training;

/** The listener asked the run to stop. */
public class TrainingStoppedException extends RuntimeException {
  public TrainingStoppedException(String message) {
    super(message);
  }
}
