package org.trainer.core.monitor;

import java.util.List;

/**
 * What a {@link Monitor} saw at one sampled training step: small figures only (norms, fractions,
 * counts), never whole tensors, so it can be handed to the rule thread while training goes on.
 * Immutable.
 *
 * @param epoch       the epoch of the step, 0-based
 * @param iteration   optimizer steps taken so far, this one included
 * @param loss        the step's training loss
 * @param parameters  one entry per trainable parameter, in the model's order
 * @param activations one entry per watched activation layer (ReLU, sigmoid, tanh), in the order
 *                    the forward pass ran them; empty when the model has none
 */
public record Snapshot(int epoch, long iteration, double loss, List<ParameterStats> parameters,
                       List<ActivationStats> activations) {

    /**
     * Copies the lists.
     *
     * @param epoch the epoch of the step, 0-based
     * @param iteration optimizer steps taken so far, this one included
     * @param loss the step's training loss
     * @param parameters one entry per trainable parameter, in the model's order
     * @param activations one entry per watched activation layer (ReLU, sigmoid, tanh), in the order the forward pass
     *     ran them; empty when the model has none
     */
    public Snapshot {
        parameters = List.copyOf(parameters);
        activations = List.copyOf(activations);
    }

    /**
     * One parameter at a sampled step. Norms are L2 norms ||x|| = sqrt(sum x_i^2); the weight
     * figures before the step are the weights the step's forward pass used.
     *
     * @param name           dotted name, e.g. "0.weight"
     * @param numel          number of scalars
     * @param fanIn          inputs per output unit (numel / shape[0]) for a tensor of 2 or more axes, else 0
     * @param weightNorm     ||w|| before the step
     * @param weightMean     mean of w before the step
     * @param weightStd      population standard deviation of w before the step
     * @param gradNorm       ||g|| of the step's gradient; NaN when the parameter got none
     * @param updateNorm     ||w_after - w_before||, what the optimizer step changed
     * @param maxAbs         the largest |w| after the step and |g|, whichever is larger
     * @param nonFinite      NaN and infinite values among w after the step and g
     */
    public record ParameterStats(String name, long numel, long fanIn, double weightNorm, double weightMean,
                                 double weightStd, double gradNorm, double updateNorm, double maxAbs,
                                 long nonFinite) {

        /**
         * ||g|| / sqrt(numel): the root mean square of the gradient, comparable across layer sizes.
         *
         * @return the root mean square
         */
        public double gradRms() {
            return gradNorm / Math.sqrt(numel);
        }

        /**
         * Whether this is a weight matrix or kernel (2 or more axes) rather than a bias or scale.
         *
         * @return whether this is a weight
         */
        public boolean isWeight() {
            return fanIn > 0;
        }
    }

    /**
     * One activation layer's output at a sampled step, over the whole batch.
     *
     * @param name              the module's dotted path, e.g. "1"
     * @param kind              "ReLU", "Sigmoid" or "Tanh"
     * @param count             number of output values
     * @param zeroFraction      fraction of outputs exactly 0
     * @param deadUnitFraction  fraction of units (positions after the batch axis) that are 0 for every
     *                          sample of the batch
     * @param saturatedFraction fraction of outputs within {@link #SATURATION_MARGIN} of the function's
     *                          bounds (sigmoid: y &lt;= 0.01 or y &gt;= 0.99; tanh: |y| &gt;= 0.99; 0 for ReLU)
     * @param nonFinite         NaN and infinite outputs
     */
    public record ActivationStats(String name, String kind, long count, double zeroFraction, double deadUnitFraction,
                                  double saturatedFraction, long nonFinite) {
        /** How close to a bound of sigmoid or tanh an output counts as saturated, where the slope is below ~0.01. */
        public static final double SATURATION_MARGIN = 0.01;
    }
}
