package com.kddm.workers;

import com.kddm.system.ApiRole;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@ApiRole
@RestController
class WorkerController {

  private final WorkerRegistry registry;
  private final WorkerProperties properties;

  WorkerController(WorkerRegistry registry, WorkerProperties properties) {
    this.registry = registry;
    this.properties = properties;
  }

  /** Every worker that has started against this database, newest first. */
  @GetMapping("/v1/workers")
  List<WorkerRegistry.WorkerView> workers() {
    return registry.list(properties.leaseDuration());
  }
}
