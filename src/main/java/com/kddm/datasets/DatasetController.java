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

  static final int MIN_IMAGE_SIDE = 8;
  static final int MAX_IMAGE_SIDE = 512;

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
      @RequestPart(name = "name", required = false) String name,
      @RequestPart(name = "format", required = false) String format,
      @RequestPart(name = "imageSize", required = false) String imageSize,
      @RequestPart(name = "channels", required = false) String channels,
      @RequestPart(name = "testFraction", required = false) String testFraction,
      @RequestPart(name = "splitSeed", required = false) String splitSeed)
      throws IOException {
    DatasetService.UploadOptions options = new DatasetService.UploadOptions(format(format), imageSize(imageSize),
        channels(channels), split(testFraction, splitSeed));
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
      if ("idx".equals(options.format())) {
        throw ApiException.badField("format", "idx datasets come as trainImages and trainLabels (optionally testImages,"
            + " testLabels), not as file");
      }
      created = service.uploadFile(name, npz, options);
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
      if (options.format() != null && !options.format().equals("idx")) {
        throw ApiException.badField("format", "an " + options.format() + " dataset comes as file; the IDX parts make an"
            + " idx dataset");
      }
      if (options.imageSize() != null || options.channels() != null) {
        throw ApiException.badField(options.imageSize() != null ? "imageSize" : "channels",
            "only an ImageFolder ZIP is resized and converted; IDX files keep their images' shape");
      }
      created = service.upload(name, idx.get("trainImages"), idx.get("trainLabels"), idx.get("testImages"),
          idx.get("testLabels"), options.split());
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

  private static String format(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String format = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("idx", "npz", "imagefolder").contains(format)) {
      throw ApiException.badField("format", "'" + value + "' is not a format; one of idx, npz, imagefolder (or leave it"
          + " out: it is told from the content)");
    }
    return format;
  }

  /** "32" (square) or "WxH", each side within the bounds. */
  private static DatasetService.ImageSize imageSize(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\s*(\\d{1,6})\\s*(?:[xX×]\\s*(\\d{1,6})\\s*)?").matcher(value);
    if (!m.matches()) {
      throw ApiException.badField("imageSize", "'" + value + "' is not a size; give one side (32) or width x height"
          + " (32x28)");
    }
    int width = Integer.parseInt(m.group(1));
    int height = m.group(2) == null ? width : Integer.parseInt(m.group(2));
    if (Math.min(width, height) < MIN_IMAGE_SIDE || Math.max(width, height) > MAX_IMAGE_SIDE) {
      throw ApiException.badField("imageSize", "each side must be between " + MIN_IMAGE_SIDE + " and " + MAX_IMAGE_SIDE
          + " pixels, got " + width + "x" + height);
    }
    return new DatasetService.ImageSize(width, height);
  }

  private static Integer channels(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return switch (value.strip()) {
      case "1" -> 1;
      case "3" -> 3;
      default -> throw ApiException.badField("channels", "'" + value + "': 1 (grayscale) or 3 (RGB)");
    };
  }

  private static com.kddm.training.Split split(String fraction, String seed) {
    boolean hasSeed = seed != null && !seed.isBlank();
    if (fraction == null || fraction.isBlank()) {
      if (hasSeed) {
        throw ApiException.badField("splitSeed", "only with testFraction, which draws the test part it seeds");
      }
      return null;
    }
    double f;
    try {
      f = Double.parseDouble(fraction.strip());
    } catch (NumberFormatException e) {
      throw ApiException.badField("testFraction", "'" + fraction + "' is not a number; e.g. 0.2");
    }
    if (!(f > 0 && f < 1)) {
      throw ApiException.badField("testFraction", "must lie strictly between 0 and 1, got " + fraction.strip());
    }
    long s = 0;
    if (hasSeed) {
      try {
        s = Long.parseLong(seed.strip());
      } catch (NumberFormatException e) {
        throw ApiException.badField("splitSeed", "'" + seed + "' is not a whole number (a 64-bit integer)");
      }
    }
    return new com.kddm.training.Split(f, s);
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
