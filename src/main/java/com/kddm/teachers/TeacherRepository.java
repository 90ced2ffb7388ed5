package com.kddm.teachers;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

interface TeacherRepository extends JpaRepository<Teacher, UUID> {
  List<Teacher> findAllByOrderByCreatedAtDesc(Limit limit);
}
