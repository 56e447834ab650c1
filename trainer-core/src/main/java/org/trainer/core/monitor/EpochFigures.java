package org.trainer.core.monitor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished epoch's figures as the trainer logged them ("loss", "val_loss", "val_accuracy", ...),
 * for the rules that judge a run epoch by epoch. Immutable.
 *
 * @param epoch     the epoch, 0-based
 * @param iteration optimizer steps taken so far
 * @param logs      the epoch's figures by name
 */
public record EpochFigures(int epoch, long iteration, Map<String, Double> logs) {

    /**
     * Keeps an unmodifiable copy of the logs, in their order.
     *
     * @param epoch the epoch, 0-based
     * @param iteration optimizer steps taken so far
     * @param logs the epoch's figures by name
     */
    public EpochFigures {
        logs = Collections.unmodifiableMap(new LinkedHashMap<>(logs));
    }

    /**
     * A figure, or NaN when the epoch has none by that name.
     *
     * @param name the figure's name
     * @return the value, or NaN
     */
    public double get(String name) {
        Double v = logs.get(name);
        return v == null ? Double.NaN : v;
    }
}
