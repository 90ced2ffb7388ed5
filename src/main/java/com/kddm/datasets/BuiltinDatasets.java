package com.kddm.datasets;

import com.kddm.system.ApiRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Imports the configured built-in datasets at start-up. A file that is missing or unusable is
 * logged and skipped, so a wrong path does not keep the API down; API processes starting together
 * race on a unique index, and the loser keeps the winner's import.
 */
@ApiRole
@Component
class BuiltinDatasets implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(BuiltinDatasets.class);

  private final DatasetsProperties properties;
  private final DatasetService service;

  BuiltinDatasets(DatasetsProperties properties, DatasetService service) {
    this.properties = properties;
    this.service = service;
  }

  @Override
  public void run(ApplicationArguments args) {
    for (DatasetsProperties.Builtin builtin : properties.builtin()) {
      try {
        if (service.importBuiltin(builtin)) {
          log.info("Imported built-in dataset {}", builtin.name());
        }
      } catch (DataIntegrityViolationException e) {
        log.info("Built-in dataset {} was imported by another process", builtin.name());
      } catch (Exception e) {
        log.error("Could not import built-in dataset {}: {}", builtin.name(), e.getMessage());
      }
    }
  }
}
