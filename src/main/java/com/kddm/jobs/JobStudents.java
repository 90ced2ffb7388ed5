package com.kddm.jobs;

import com.kddm.teachers.FinishedStudents;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

@Component
class JobStudents implements FinishedStudents {

  private final JobRepository jobs;

  JobStudents(JobRepository jobs) {
    this.jobs = jobs;
  }

  @Override
  public Optional<Lookup> studentOf(UUID jobId) {
    return jobs.findById(jobId)
        .map(job -> job.state() == JobState.SUCCEEDED
            ? new Found(job.studentBlob())
            : new Missing("it is " + job.state()));
  }
}
