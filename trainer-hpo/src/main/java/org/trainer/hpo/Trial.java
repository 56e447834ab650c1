package org.trainer.hpo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One evaluation of the objective, as the objective sees it while it runs. Define-by-run: the
 * objective asks for each hyperparameter where it needs it ({@code suggestFloat},
 * {@code suggestInt}, {@code suggestCategorical}); the value comes from the study's sampler when
 * the parameter (with the same range) was part of the space known when this trial started,
 * and is otherwise drawn independently at random (from this trial's seed and the name). When
 * the study declared its ranges, every parameter is known from the start and {@link #params()}
 * holds them all before the first suggest.
 *
 * <p>Asking for the same name twice returns the same value; with a different range it is an
 * error. Thread-safe: its methods go through the study.
 */
public final class Trial {
    private final Study study;
    private final int number;
    private final long seed;
    private final Map<String, Object> proposal;
    private final Map<String, Range> proposalSpace;

    Trial(Study study, int number, long seed, Map<String, Object> proposal, Map<String, Range> proposalSpace) {
        this.study = study;
        this.number = number;
        this.seed = seed;
        this.proposal = proposal;
        this.proposalSpace = proposalSpace;
    }

    /**
     * The trial's number in its study, from 0.
     *
     * @return the number
     */
    public int number() {
        return number;
    }

    /**
     * The trial's own seed, derived from the study's seed and the number: seed the model, the
     * data order and dropout from it, and the trial is reproducible on its own.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The study this trial belongs to.
     *
     * @return the study
     */
    public Study study() {
        return study;
    }

    /**
     * The hyperparameters fixed so far, by name, in the order they were fixed.
     *
     * @return the values by name
     */
    public Map<String, Object> params() {
        return study.paramsOf(number);
    }

    /**
     * A float in [low, high], uniform in linear scale.
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value
     * @return the value
     */
    public double suggestFloat(String name, double low, double high) {
        return suggestFloat(name, low, high, Scale.LINEAR);
    }

    /**
     * A float in [low, high] in the given scaling (LOG: uniform in ln x).
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value
     * @param scale the scaling
     * @return the value
     */
    public double suggestFloat(String name, double low, double high, Scale scale) {
        return (Double) suggest(name, new FloatRange(low, high, scale));
    }

    /**
     * An integer in [low, high], both included, uniform.
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value
     * @return the value
     */
    public int suggestInt(String name, int low, int high) {
        return suggestInt(name, low, high, Scale.LINEAR);
    }

    /**
     * An integer in [low, high], both included, in the given scaling (LINEAR or LOG).
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value
     * @param scale LINEAR or LOG
     * @return the value
     */
    public int suggestInt(String name, int low, int high, Scale scale) {
        return (Integer) suggest(name, new IntRange(low, high, scale));
    }

    /**
     * One of {@code choices}.
     *
     * @param <T> the choices' type
     * @param name the parameter's name
     * @param choices the values
     * @return the value
     */
    @SuppressWarnings("unchecked")
    public <T> T suggestCategorical(String name, List<T> choices) {
        Objects.requireNonNull(choices, "Trial.suggestCategorical: choices");
        return (T) suggest(name, new CategoricalRange(new ArrayList<>(choices)));
    }

    /**
     * A value of {@code range}: the sampler's proposal when this name and range were known at the trial's start, else
     * an independent draw.
     *
     * @param name the parameter's name
     * @param range the range
     * @return the value
     */
    public Object suggest(String name, Range range) {
        Objects.requireNonNull(name, "Trial.suggest: name");
        Objects.requireNonNull(range, "Trial.suggest: range");
        Object proposed = range.equals(proposalSpace.get(name)) ? proposal.get(name) : null;
        return study.suggest(number, seed, name, range, proposed);
    }

    /**
     * Reports the objective's value at {@code step} (epochs done, by default: after epoch e report
     * step e + 1), for pruners and the history. Each step once.
     *
     * @param step the step
     * @param value the objective's value there
     */
    public void report(int step, double value) {
        study.report(number, step, value);
    }

    /**
     * Whether the study's pruner says to stop now, judging the values reported so far. Once it
     * has said yes the trial is recorded PRUNED when the objective returns or throws
     * {@link TrialPruned}.
     *
     * @return whether to stop
     */
    public boolean shouldPrune() {
        return study.shouldPrune(number);
    }

    @Override
    public String toString() {
        return "Trial(" + number + ", " + params() + ")";
    }
}
