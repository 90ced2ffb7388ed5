package com.kddm.catalog;

import com.kddm.architectures.Architecture;
import com.kddm.distances.DistanceKind;
import com.kddm.distances.DistanceParameters;
import com.kddm.system.ApiRole;
import java.util.Arrays;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@ApiRole
@RestController
class CatalogController {

  /** A distance a job can name in {@code distillation.distance}, with its parameters. */
  record DistanceEntry(String id, String description, List<DistanceParameters.Definition> parameters) {}

  /** An architecture a job can name in {@code student.architecture}. */
  record ArchitectureEntry(String id, String description) {}

  @GetMapping("/v1/distances")
  List<DistanceEntry> distances() {
    return Arrays.stream(DistanceKind.values())
        .map(d -> new DistanceEntry(d.id(), d.description(), d.parameters()))
        .toList();
  }

  @GetMapping("/v1/architectures")
  List<ArchitectureEntry> architectures() {
    return Arrays.stream(Architecture.values()).map(a -> new ArchitectureEntry(a.id(), a.description())).toList();
  }
}
