package com.kddm.training;

/** A checkpoint that cannot resume this plan: written for another one, or damaged. */
public class CheckpointMismatchException extends InvalidDataException {
  public CheckpointMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
