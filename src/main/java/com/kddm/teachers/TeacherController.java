package com.kddm.teachers;

import com.kddm.architectures.InputShape;
import com.kddm.system.ApiException;
import com.kddm.system.ApiRole;
import com.kddm.training.Normalization;
import jakarta.validation.Valid;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.UUID;
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
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@ApiRole
@RestController
@RequestMapping("/v1/teachers")
class TeacherController {

  private final TeacherService service;

  TeacherController(TeacherService service) {
    this.service = service;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  ResponseEntity<TeacherResponse> fromJob(@Valid @RequestBody RegisterTeacherRequest request) throws IOException {
    return created(service.registerFromJob(request));
  }

  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  ResponseEntity<TeacherResponse> upload(
      @RequestPart("file") MultipartFile file,
      @RequestPart(name = "name", required = false) String name,
      @RequestPart(name = "architecture", required = false) String architecture,
      @RequestPart(name = "inputShape", required = false) String inputShape,
      @RequestPart(name = "datasetId", required = false) String datasetId,
      @RequestPart(name = "inputMean", required = false) String inputMean,
      @RequestPart(name = "inputStd", required = false) String inputStd)
      throws IOException {
    if (file.isEmpty()) {
      throw ApiException.badField("file", "is empty");
    }
    UploadedTeacher upload = new UploadedTeacher(name, architecture, parseShape(inputShape), parseId(datasetId),
        parseNormalization(inputMean, inputStd));
    try (InputStream in = file.getInputStream()) {
      return created(service.registerUpload(upload, in));
    }
  }

  private static InputShape parseShape(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return InputShape.of(java.util.Arrays.stream(text.split("[,x× ]+")).map(String::strip).map(Integer::valueOf).toList());
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("inputShape", "expected channels,height,width such as 1,28,28; got '" + text + "'");
    }
  }

  /** Per-channel statistics such as {@code 0.485,0.456,0.406}; both or neither. */
  private static Normalization parseNormalization(String mean, String std) {
    boolean noMean = mean == null || mean.isBlank();
    boolean noStd = std == null || std.isBlank();
    if (noMean && noStd) {
      return null;
    }
    if (noMean || noStd) {
      throw ApiException.badField(noMean ? "inputMean" : "inputStd",
          "inputMean and inputStd go together: give both (one value per channel, e.g. 0.485,0.456,0.406) or neither");
    }
    float[] m = parseFloats("inputMean", mean);
    float[] s = parseFloats("inputStd", std);
    if (m.length != s.length) {
      throw ApiException.badField("inputStd", "has " + s.length + " value(s) but inputMean has " + m.length
          + "; give one value per channel in each");
    }
    try {
      return new Normalization(m, s);
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("inputStd", e.getMessage());
    }
  }

  private static float[] parseFloats(String field, String text) {
    String[] items = text.strip().split("\\s*[, ]\\s*");
    float[] values = new float[items.length];
    for (int i = 0; i < items.length; i++) {
      try {
        values[i] = Float.parseFloat(items[i]);
      } catch (NumberFormatException e) {
        throw ApiException.badField(field, "expected numbers separated by commas, one per channel (e.g. 0.485,0.456,0.406);"
            + " got '" + text + "'");
      }
    }
    return values;
  }

  private static UUID parseId(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return UUID.fromString(text.strip());
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("datasetId", "'" + text + "' is not a dataset id");
    }
  }

  @GetMapping("/{id}")
  TeacherResponse get(@PathVariable UUID id) {
    return service.get(id);
  }

  /** Deletes the teacher and its file; refused with 409 while an unfinished job uses it. */
  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable UUID id) {
    service.delete(id);
  }

  /** The teacher's file as it was registered (archive, TorchScript or safetensors). */
  @GetMapping("/{id}/file")
  ResponseEntity<org.springframework.core.io.Resource> file(
      @PathVariable UUID id, @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) {
    return service.file(id).respond(ifNoneMatch);
  }

  @GetMapping
  List<TeacherResponse> list(@RequestParam(name = "limit", defaultValue = "100") int limit) {
    if (limit < 1 || limit > 1000) {
      throw ApiException.badField("limit", "must be between 1 and 1000");
    }
    return service.list(limit);
  }

  private static ResponseEntity<TeacherResponse> created(TeacherResponse teacher) {
    return ResponseEntity.created(URI.create("/v1/teachers/" + teacher.id())).body(teacher);
  }
}
