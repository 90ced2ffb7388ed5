/** Distillation jobs: submission, the queue in PostgreSQL, progress, metrics and the trained student. */
package com.kddm.jobs;
