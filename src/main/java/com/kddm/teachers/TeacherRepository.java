package com.kddm.teachers;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface TeacherRepository extends JpaRepository<Teacher, UUID> {
  List<Teacher> findAllByOrderByCreatedAtDesc(Limit limit);

  /** Deletes the teacher unless an unfinished job uses it, in one statement; answers the rows deleted. */
  @Modifying
  @Transactional
  @Query(nativeQuery = true, value = """
      delete from teachers t where t.id = :id and not exists (
        select 1 from jobs j where j.teacher_id = t.id and j.state in ('QUEUED', 'RUNNING', 'CANCELLING'))""")
  int deleteUnlessInUse(@Param("id") UUID id);

  @Query(nativeQuery = true, value = """
      select count(*) from jobs where teacher_id = :id and state in ('QUEUED', 'RUNNING', 'CANCELLING')""")
  long unfinishedJobsUsing(@Param("id") UUID id);

  /** Reads the teacher and holds it (FOR SHARE) until the transaction ends, so it cannot be deleted meanwhile. */
  // Not read-only: PostgreSQL refuses FOR SHARE in a read-only transaction.
  @Transactional
  @Lock(jakarta.persistence.LockModeType.PESSIMISTIC_READ)
  @Query("select t from Teacher t where t.id = :id")
  java.util.Optional<Teacher> findAndHold(@Param("id") UUID id);
}
