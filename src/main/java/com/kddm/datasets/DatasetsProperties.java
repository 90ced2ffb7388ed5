package com.kddm.datasets;

import com.kddm.training.ZipLimits;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param builtin IDX datasets on the server's disk (such as Debian's Fashion-MNIST) that every user
 *     sees in {@code GET /v1/datasets}; imported once, at the first start that finds them missing
 * @param zip what an uploaded ZIP (npz or ImageFolder) may hold
 * @param maxImagePixels the largest image (width × height) an ImageFolder ZIP may hold: it is decoded
 *     whole before it is resized (4096×4096 by default, about 64 MB decoded)
 */
@Validated
@ConfigurationProperties("kddm.datasets")
record DatasetsProperties(@NotNull @Valid @DefaultValue List<Builtin> builtin, @NotNull @Valid @DefaultValue Zip zip,
    @Positive @DefaultValue("16777216") long maxImagePixels) {

  /** The test files are optional, together. */
  record Builtin(@NotBlank String name, @NotNull Path trainImages, @NotNull Path trainLabels, Path testImages,
      Path testLabels) {}

  /**
   * Limits on uploaded ZIPs, counted as entries really inflate (see {@link ZipLimits}).
   *
   * @param maxEntries entries of any kind
   * @param maxEntrySize inflated size of one entry
   * @param maxTotalSize inflated size of all entries together
   * @param maxRatio compression ratio (inflated : compressed) of one entry, once it has inflated past
   *     {@code ratioCheckedFrom}
   */
  record Zip(@Positive @DefaultValue("1000000") int maxEntries, @NotNull @DefaultValue("4GB") DataSize maxEntrySize,
      @NotNull @DefaultValue("16GB") DataSize maxTotalSize, @Min(2) @DefaultValue("100") long maxRatio,
      @NotNull @DefaultValue("4MB") DataSize ratioCheckedFrom) {

    ZipLimits limits() {
      return new ZipLimits(maxEntries, maxEntrySize.toBytes(), maxTotalSize.toBytes(), maxRatio,
          ratioCheckedFrom.toBytes());
    }
  }
}
