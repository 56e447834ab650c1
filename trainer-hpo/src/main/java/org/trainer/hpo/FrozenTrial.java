package org.trainer.hpo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of one trial, as samplers, pruners and storage see it.
 *
 * @param number       the trial's number in its study, from 0
 * @param state        where it stands
 * @param params       the hyperparameter values by name (Double for a FloatRange, Integer for an
 *                     IntRange, the choice itself for a CategoricalRange)
 * @param value        the objective value (COMPLETE only; null otherwise)
 * @param intermediate values reported along the way, by step (epoch, by default), in step order
 * @param error        why a FAILED trial failed; null otherwise
 */
public record FrozenTrial(int number, TrialState state, Map<String, Object> params, Double value,
                          SortedMap<Integer, Double> intermediate, String error) {

    /**
     * Copies the maps; throws IllegalArgumentException when a COMPLETE trial has no finite value.
     *
     * @param number the trial's number in its study
     * @param state where it stands
     * @param params the hyperparameter values by name
     * @param value the objective value (COMPLETE only; null otherwise)
     * @param intermediate values reported along the way, by step
     * @param error why a FAILED trial failed; null otherwise
     */
    public FrozenTrial {
        Objects.requireNonNull(state, "FrozenTrial: state");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(params, "FrozenTrial: params")));
        intermediate = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(intermediate, "FrozenTrial: intermediate")));
        if (state == TrialState.COMPLETE && (value == null || !Double.isFinite(value))) {
            throw new IllegalArgumentException("FrozenTrial: a COMPLETE trial needs a finite value, got " + value);
        }
    }
}
