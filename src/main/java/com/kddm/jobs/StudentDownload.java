package com.kddm.jobs;

import java.util.UUID;
import org.springframework.core.io.Resource;

/** The stored student of a succeeded job. */
record StudentDownload(UUID jobId, Resource file, String sha256, long bytes) {}
