package com.kddm.datasets;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param builtin IDX datasets on the server's disk (such as Debian's Fashion-MNIST) that every user
 *     sees in {@code GET /v1/datasets}; imported once, at the first start that finds them missing
 */
@Validated
@ConfigurationProperties("kddm.datasets")
record DatasetsProperties(@NotNull @Valid @DefaultValue List<Builtin> builtin) {

  /** The test files are optional, together. */
  record Builtin(@NotBlank String name, @NotNull Path trainImages, @NotNull Path trainLabels, Path testImages,
      Path testLabels) {}
}
