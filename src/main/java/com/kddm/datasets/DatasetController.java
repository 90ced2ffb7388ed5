package com.kddm.datasets;

import com.kddm.system.ApiException;
import com.kddm.system.ApiRole;
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
      @RequestPart("trainImages") MultipartFile trainImages,
      @RequestPart("trainLabels") MultipartFile trainLabels,
      @RequestPart(name = "testImages", required = false) MultipartFile testImages,
      @RequestPart(name = "testLabels", required = false) MultipartFile testLabels,
      @RequestPart(name = "name", required = false) String name)
      throws IOException {
    DatasetResponse created =
        service.upload(name, part("trainImages", trainImages), part("trainLabels", trainLabels),
            optional("testImages", testImages), optional("testLabels", testLabels));
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
