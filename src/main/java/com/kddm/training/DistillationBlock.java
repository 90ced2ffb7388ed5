package com.kddm.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * What the trainer optimises: the student and, when its features are narrower or wider than the
 * teacher's, a learned linear projector into the teacher's feature space. Answers
 * {@code [features, logits, features in the teacher's space]}. Only the student is exported.
 */
final class DistillationBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final Block student;
  private final Block projector;

  DistillationBlock(Block student, Block projector) {
    super(VERSION);
    this.student = addChildBlock("student", student);
    this.projector = projector == null ? null : addChildBlock("projector", projector);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out = student.forward(store, inputs, training, params);
    NDArray features = out.get(0);
    NDArray matched =
        projector == null ? features : projector.forward(store, new NDList(features), training, params).singletonOrThrow();
    return new NDList(features, out.get(1), matched);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] out = student.getOutputShapes(inputShapes);
    Shape matched = projector == null ? out[0] : projector.getOutputShapes(new Shape[] {out[0]})[0];
    return new Shape[] {out[0], out[1], matched};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    // The student first, so that its initial weights do not depend on whether a projector exists.
    student.initialize(manager, dataType, inputShapes);
    if (projector != null) {
      projector.initialize(manager, dataType, student.getOutputShapes(inputShapes)[0]);
    }
  }
}
