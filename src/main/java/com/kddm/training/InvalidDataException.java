package com.kddm.training;

/** A data or model file that cannot be used, with a reason a user can act on. */
public class InvalidDataException extends RuntimeException {
  public InvalidDataException(String message) {
    super(message);
  }

  public InvalidDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
