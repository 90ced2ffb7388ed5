package com.kddm.jobs;

import com.kddm.system.ApiException;
import com.kddm.storage.ArtifactDownload;
import com.kddm.system.ApiRole;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@ApiRole
@RestController
@RequestMapping("/v1/jobs")
class JobController {

  static final MediaType ZIP = MediaType.parseMediaType("application/zip");

  private final JobService service;

  JobController(JobService service) {
    this.service = service;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.ACCEPTED)
  @ApiResponse(responseCode = "202", description = "queued")
  @ApiResponse(responseCode = "200", description = "the job an earlier request with this Idempotency-Key created")
  ResponseEntity<JobResponse> submit(
      @Valid @RequestBody SubmitJobRequest request,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
    JobService.Submitted submitted = service.submit(request, idempotencyKey);
    JobResponse job = submitted.job();
    return ResponseEntity.status(submitted.replayed() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .location(URI.create("/v1/jobs/" + job.id()))
        .header("Idempotent-Replayed", Boolean.toString(submitted.replayed()))
        .body(job);
  }

  /** Cancels a queued job at once; a running one moves to CANCELLING and ends CANCELLED within seconds. */
  @PostMapping({"/{id}/cancel", "/{id}:cancel"})
  @ResponseStatus(HttpStatus.ACCEPTED)
  ResponseEntity<JobResponse> cancel(@PathVariable UUID id) {
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(service.cancel(id));
  }

  /** Deletes a job that has ended, with its metrics, events and student; 409 while it has not. */
  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable UUID id) {
    service.delete(id);
  }

  @GetMapping("/{id}/events")
  JobEvent.Timeline events(@PathVariable UUID id) {
    return service.events(id);
  }

  @GetMapping("/{id}")
  JobResponse get(@PathVariable UUID id) {
    return service.get(id);
  }

  @GetMapping
  JobPage list(
      @RequestParam(name = "state", required = false) JobState state,
      @RequestParam(name = "page_size", defaultValue = "20") int pageSize,
      @RequestParam(name = "page_token", required = false) String pageToken) {
    return service.list(Optional.ofNullable(state), pageSize, pageToken);
  }

  @GetMapping("/{id}/metrics")
  JobMetrics metrics(@PathVariable UUID id) {
    return service.metrics(id);
  }

  /**
   * The student archive, or with {@code format=safetensors} its weights under torchvision's names;
   * Spring serves Range requests on the file resource.
   */
  @GetMapping(value = "/{id}/student", produces = {"application/zip", "application/octet-stream"})
  @ApiResponse(responseCode = "200", description = "the whole file")
  @ApiResponse(responseCode = "206", description = "the byte range asked for with Range")
  @ApiResponse(responseCode = "304", description = "If-None-Match names the current ETag")
  ResponseEntity<Resource> student(
      @PathVariable UUID id,
      @Parameter(description = "zip (the student archive) or safetensors (torchvision-named weights)")
          @RequestParam(name = "format", defaultValue = "zip") String format,
      @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch)
      throws IOException {
    boolean safetensors = switch (format.strip().toLowerCase(Locale.ROOT)) {
      case "zip" -> false;
      case "safetensors" -> true;
      default -> throw ApiException.badField("format",
          "expected zip (the student archive, the default) or safetensors (the weights with torchvision's names), got '"
              + format + "'");
    };
    StudentDownload student = safetensors ? service.studentAsSafetensors(id) : service.student(id);
    return new ArtifactDownload(student.file(), student.sha256(),
        "student-" + id + (safetensors ? ".safetensors" : ".zip"), safetensors ? MediaType.APPLICATION_OCTET_STREAM : ZIP)
        .respond(ifNoneMatch);
  }
}
