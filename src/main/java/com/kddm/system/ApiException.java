package com.kddm.system;

import java.util.List;
import org.springframework.http.HttpStatus;

/** An error the API answers as an RFC 9457 problem; {@code detail} tells the user what to change. */
public class ApiException extends RuntimeException {

  /** A field-level complaint, reported in the problem's {@code errors} list. */
  public record FieldProblem(String field, String message) {}

  private final HttpStatus status;
  private final String title;
  private final List<FieldProblem> errors;

  public ApiException(HttpStatus status, String title, String detail, List<FieldProblem> errors) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
  }

  public static ApiException notFound(String what, Object id) {
    return new ApiException(HttpStatus.NOT_FOUND, "Not found", what + " " + id + " does not exist", List.of());
  }

  public static ApiException badField(String field, String message) {
    return new ApiException(
        HttpStatus.BAD_REQUEST, "Invalid request", field + ": " + message, List.of(new FieldProblem(field, message)));
  }

  public static ApiException unprocessable(String detail) {
    return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Unusable input", detail, List.of());
  }

  public static ApiException conflict(String detail) {
    return new ApiException(HttpStatus.CONFLICT, "Conflict", detail, List.of());
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  public List<FieldProblem> errors() {
    return errors;
  }
}
