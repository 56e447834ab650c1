package org.trainer.core.train;

import java.util.List;

import org.trainer.core.nn.Parameter;

/**
 * Parameters that share a learning rate and weight decay, e.g. a pre-trained body with a small
 * rate and a new head with a larger one. The initial rate is what schedules scale from; the
 * current rate is what the next step uses.
 */
public final class ParameterGroup {
    private final List<Parameter> parameters;
    private final double initialLearningRate;
    private final double weightDecay;
    private double learningRate;

    /**
     * A group of these parameters with this initial learning rate and weight decay; throws IllegalArgumentException
     * when either is negative, NaN or infinite.
     *
     * @param parameters the parameters
     * @param learningRate the initial learning rate
     * @param weightDecay the weight decay
     */
    public ParameterGroup(List<Parameter> parameters, double learningRate, double weightDecay) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("ParameterGroup: learningRate must be a finite value >= 0, got "
                    + learningRate);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("ParameterGroup: weightDecay must be a finite value >= 0, got "
                    + weightDecay);
        }
        this.parameters = List.copyOf(parameters);
        this.initialLearningRate = learningRate;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
    }

    /**
     * The parameters of the group.
     *
     * @return the parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * The learning rate the group was created with, which schedules scale.
     *
     * @return the initial rate
     */
    public double initialLearningRate() {
        return initialLearningRate;
    }

    /**
     * The learning rate the next step uses.
     *
     * @return the current rate
     */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate of the next steps (schedules call this); throws IllegalArgumentException when lr is
     * negative, NaN or infinite.
     *
     * @param lr the new rate
     */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("setLearningRate: lr must be a finite value >= 0, got " + lr);
        }
        this.learningRate = lr;
    }

    /**
     * The weight decay of the group.
     *
     * @return the weight decay
     */
    public double weightDecay() {
        return weightDecay;
    }
}
