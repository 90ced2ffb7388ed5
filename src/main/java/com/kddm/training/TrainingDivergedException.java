package com.kddm.training;

/** The loss stopped being a finite number; more steps cannot recover it. */
public class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
