package com.kddm.distances;

import org.ejml.data.DMatrixRMaj;

/**
 * A divergence between two fitted Gaussians, evaluated with its gradient with respect to the
 * student's statistics: that is all autograd needs to get the exact gradient through the linear
 * surrogate of {@link GaussianLoss}, since DJL cannot differentiate eigen-decompositions.
 */
@FunctionalInterface
interface GaussianDivergence {

  /**
   * @param dMean ∂value/∂μ_S
   * @param dSpread ∂value/∂Σ_S (symmetric, d×d) or ∂value/∂σ²_S (d×1), same shape as the spread
   */
  record Evaluation(double value, double[] dMean, DMatrixRMaj dSpread) {}

  Evaluation evaluate(Gaussian student, Gaussian teacher);
}
