package com.kddm.jobs;

import java.nio.file.Path;
import java.util.UUID;

/** The stored student of a succeeded job. */
record StudentDownload(UUID jobId, Path file, String sha256, long bytes) {}
