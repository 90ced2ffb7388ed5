package com.kddm.jobs;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface JobEpochRepository extends JpaRepository<JobEpoch, JobEpoch.Key> {
  List<JobEpoch> findByJobIdOrderByEpoch(UUID jobId);

  Optional<JobEpoch> findFirstByJobIdOrderByEpochDesc(UUID jobId);

  /** The latest epoch of each of the jobs that has one, in one query for a whole page of jobs. */
  @Query(value = "select distinct on (job_id) * from job_epochs where job_id in (:jobIds) order by job_id, epoch desc",
      nativeQuery = true)
  List<JobEpoch> findLatestOfJobs(Collection<UUID> jobIds);
}
