package com.kddm.datasets;

import com.kddm.architectures.InputShape;
import java.util.UUID;

/** What other features need to know of a dataset without loading it. */
public record DatasetSummary(UUID id, InputShape inputShape, int classes, int trainSamples, boolean hasTestPart) {}
