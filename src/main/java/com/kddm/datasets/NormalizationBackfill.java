package com.kddm.datasets;

import com.kddm.system.ApiRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Measures, at start-up, the normalisation statistics of datasets uploaded before they were
 * measured at upload (V10), so that every response tells them. A failure is logged and retried at
 * the next start; meanwhile {@link DatasetService#load} measures such a dataset when a job loads it.
 */
@ApiRole
@Component
class NormalizationBackfill implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(NormalizationBackfill.class);

  private final DatasetService service;

  NormalizationBackfill(DatasetService service) {
    this.service = service;
  }

  @Override
  public void run(ApplicationArguments args) {
    try {
      int measured = service.measureMissingNormalizations();
      if (measured > 0) {
        log.info("Measured the normalisation statistics of {} dataset(s) stored before they were measured at upload",
            measured);
      }
    } catch (Exception e) {
      log.error("Could not measure the normalisation statistics of older datasets: {}", e.getMessage());
    }
  }
}
