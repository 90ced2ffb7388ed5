package com.kddm.jobs;

import java.util.List;

/** One page of jobs, newest first; {@code nextPageToken} is empty on the last page. */
public record JobPage(List<JobResponse> jobs, String nextPageToken) {}
