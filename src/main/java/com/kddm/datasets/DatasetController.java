package com.kddm.datasets;

import com.kddm.system.ApiException;
import com.kddm.system.ApiRole;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@ApiRole
@RestController
@RequestMapping("/v1/datasets")
class DatasetController {

  private final DatasetService service;

  DatasetController(DatasetService service) {
    this.service = service;
  }

  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  ResponseEntity<DatasetResponse> upload(
      @RequestPart(name = "trainImages", required = false) MultipartFile trainImages,
      @RequestPart(name = "trainLabels", required = false) MultipartFile trainLabels,
      @RequestPart(name = "testImages", required = false) MultipartFile testImages,
      @RequestPart(name = "testLabels", required = false) MultipartFile testLabels,
      @RequestPart(name = "file", required = false) MultipartFile file,
      @RequestPart(name = "name", required = false) String name)
      throws IOException {
    DatasetService.Part npz = optional("file", file);
    Map<String, DatasetService.Part> idx = new LinkedHashMap<>();
    idx.put("trainImages", optional("trainImages", trainImages));
    idx.put("trainLabels", optional("trainLabels", trainLabels));
    idx.put("testImages", optional("testImages", testImages));
    idx.put("testLabels", optional("testLabels", testLabels));
    DatasetResponse created;
    if (npz != null) {
      List<ApiException.FieldProblem> both = idx.entrySet().stream().filter(e -> e.getValue() != null)
          .map(e -> new ApiException.FieldProblem(e.getKey(), "an IDX part cannot come with an npz file"))
          .collect(Collectors.toCollection(ArrayList::new));
      if (!both.isEmpty()) {
        both.add(0, new ApiException.FieldProblem("file", "an npz file cannot come with IDX parts"));
        throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request",
            "upload either an npz file (file) or IDX files (trainImages, trainLabels, ...), not both: got file and "
                + both.stream().skip(1).map(ApiException.FieldProblem::field).collect(Collectors.joining(", ")),
            both);
      }
      created = service.uploadNpz(name, npz);
    } else {
      List<ApiException.FieldProblem> missing = new ArrayList<>();
      for (String required : List.of("trainImages", "trainLabels")) {
        if (idx.get(required) == null) {
          missing.add(new ApiException.FieldProblem(required, "required, unless an npz dataset comes as file"));
        }
      }
      if (!missing.isEmpty()) {
        throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request",
            missing.stream().map(ApiException.FieldProblem::field).collect(Collectors.joining(", "))
                + ": required; upload IDX files (trainImages, trainLabels) or an npz file (file)",
            missing);
      }
      created = service.upload(name, idx.get("trainImages"), idx.get("trainLabels"), idx.get("testImages"),
          idx.get("testLabels"));
    }
    return ResponseEntity.created(URI.create("/v1/datasets/" + created.id())).body(created);
  }

  @GetMapping("/{id}")
  DatasetResponse get(@PathVariable UUID id) {
    return service.get(id);
  }

  /** Deletes the dataset and its files; refused with 409 while an unfinished job uses it. */
  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable UUID id) {
    service.delete(id);
  }

  /** One uploaded file: trainImages, trainLabels, testImages or testLabels. */
  @GetMapping("/{id}/files/{part}")
  ResponseEntity<org.springframework.core.io.Resource> file(
      @PathVariable UUID id, @PathVariable String part,
      @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) throws IOException {
    return service.file(id, part).respond(ifNoneMatch);
  }

  @GetMapping
  List<DatasetResponse> list(@RequestParam(name = "limit", defaultValue = "100") int limit) {
    if (limit < 1 || limit > 1000) {
      throw ApiException.badField("limit", "must be between 1 and 1000");
    }
    return service.list(limit);
  }

  private static DatasetService.Part optional(String name, MultipartFile file) {
    return file == null || file.isEmpty() && file.getOriginalFilename() == null ? null : part(name, file);
  }

  private static DatasetService.Part part(String name, MultipartFile file) {
    return new DatasetService.Part() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public InputStream open() throws IOException {
        return file.getInputStream();
      }
    };
  }
}
