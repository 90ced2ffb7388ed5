package com.kddm.datasets;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface DatasetRepository extends JpaRepository<Dataset, UUID> {
  List<Dataset> findAllByOrderByCreatedAtDesc(Limit limit);

  boolean existsByNameAndBuiltinTrue(String name);

  List<Dataset> findByNormalizationMeanIsNull();

  /** Deletes the dataset unless an unfinished job uses it, in one statement; answers the rows deleted. */
  @Modifying
  @Transactional
  @Query(nativeQuery = true, value = """
      delete from datasets d where d.id = :id and not exists (
        select 1 from jobs j where j.dataset_id = d.id and j.state in ('QUEUED', 'RUNNING', 'CANCELLING'))""")
  int deleteUnlessInUse(@Param("id") UUID id);

  @Query(nativeQuery = true, value = """
      select count(*) from jobs where dataset_id = :id and state in ('QUEUED', 'RUNNING', 'CANCELLING')""")
  long unfinishedJobsUsing(@Param("id") UUID id);

  /** Reads the dataset and holds it (FOR SHARE) until the transaction ends, so it cannot be deleted meanwhile. */
  // Not read-only: PostgreSQL refuses FOR SHARE in a read-only transaction.
  @Transactional
  @Lock(jakarta.persistence.LockModeType.PESSIMISTIC_READ)
  @Query("select d from Dataset d where d.id = :id")
  java.util.Optional<Dataset> findAndHold(@Param("id") UUID id);
}
