package com.kddm.jobs;

import com.kddm.training.Evaluation;
import java.util.Map;

/**
 * What a finished job produced: the student's final evaluation (on the dataset's test part, else
 * on the validation part), the teacher's on the same samples, and where the weights came from.
 */
public record JobResult(
    Evaluation evaluation,
    Evaluation teacherEvaluation,
    String studentSha256,
    long studentBytes,
    Map<String, String> provenance) {}
