package com.kddm.jobs;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface JobRepository extends JpaRepository<Job, UUID> {

  java.util.Optional<Job> findByIdempotencyKey(String idempotencyKey);

  /** Deletes a job that has ended, with its metrics and events; answers the rows deleted. */
  @org.springframework.data.jpa.repository.Modifying
  @org.springframework.transaction.annotation.Transactional
  @Query(nativeQuery = true, value = "delete from jobs where id = :id and state in ('SUCCEEDED', 'FAILED', 'CANCELLED')")
  int deleteIfEnded(@Param("id") UUID id);

  /** Newest first, strictly after the (createdAt, id) position of the previous page. */
  @Query(
      nativeQuery = true,
      value =
          """
          select * from jobs
          where (cast(:state as text) is null or state = cast(:state as text))
            and (created_at < :createdAt or (created_at = :createdAt and id < :id))
          order by created_at desc, id desc
          limit :limit
          """)
  List<Job> pageAfter(
      @Param("state") String state,
      @Param("createdAt") Instant createdAt,
      @Param("id") UUID id,
      @Param("limit") int limit);
}
