package com.kddm.jobs;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface JobEpochRepository extends JpaRepository<JobEpoch, JobEpoch.Key> {
  List<JobEpoch> findByJobIdOrderByEpoch(UUID jobId);

  Optional<JobEpoch> findFirstByJobIdOrderByEpochDesc(UUID jobId);
}
