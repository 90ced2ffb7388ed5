package com.kddm.system;

import com.kddm.training.InvalidDataException;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error leaves the API as {@code application/problem+json}: Spring MVC's own exceptions
 * through the base class, the service's through {@link ApiException}, and anything unexpected as a
 * 500 that names no internals.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> api(ApiException e) {
    return problem(e.status(), e.title(), e.getMessage(), e.errors());
  }

  @ExceptionHandler(InvalidDataException.class)
  ResponseEntity<ProblemDetail> invalidData(InvalidDataException e) {
    return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Unusable input", e.getMessage(), List.of());
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
    String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
    String message = "'" + e.getValue() + "' is not a valid " + expected;
    return problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getName() + ": " + message,
        List.of(new ApiException.FieldProblem(e.getName(), message)));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    log.error("Unexpected error", e);
    return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
        "The service failed to handle the request; it has been logged.", List.of());
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<ApiException.FieldProblem> errors =
        e.getBindingResult().getFieldErrors().stream()
            .map(f -> new ApiException.FieldProblem(f.getField(), f.getDefaultMessage()))
            .sorted(java.util.Comparator.comparing(ApiException.FieldProblem::field))
            .toList();
    String detail =
        errors.stream().map(f -> f.field() + ": " + f.message()).reduce((a, b) -> a + "; " + b).orElse("invalid request");
    return cast(problem(HttpStatus.BAD_REQUEST, "Invalid request", detail, errors));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    if (e.getCause() instanceof JacksonException json) {
      String field = json.getPathReference() == null ? "" : fieldPath(json);
      String message = json instanceof UnrecognizedPropertyException unknown
          ? "unknown field; known fields are " + unknown.getKnownPropertyIds()
          : json.getOriginalMessage();
      List<ApiException.FieldProblem> errors =
          field.isEmpty() ? List.of() : List.of(new ApiException.FieldProblem(field, message));
      return cast(problem(HttpStatus.BAD_REQUEST, "Invalid request",
          (field.isEmpty() ? "" : field + ": ") + message, errors));
    }
    return cast(problem(HttpStatus.BAD_REQUEST, "Invalid request", "the request body is missing or is not valid JSON", List.of()));
  }

  private static String fieldPath(JacksonException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  static ResponseEntity<ProblemDetail> problem(
      HttpStatus status, String title, String detail, List<ApiException.FieldProblem> errors) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
    body.setTitle(title);
    body.setType(URI.create("about:blank"));
    if (!errors.isEmpty()) {
      body.setProperty("errors", errors);
    }
    return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(body);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ResponseEntity<Object> cast(ResponseEntity<ProblemDetail> response) {
    return (ResponseEntity) response;
  }
}
