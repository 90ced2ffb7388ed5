package com.kddm.datasets;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

interface DatasetRepository extends JpaRepository<Dataset, UUID> {
  List<Dataset> findAllByOrderByCreatedAtDesc(Limit limit);
}
