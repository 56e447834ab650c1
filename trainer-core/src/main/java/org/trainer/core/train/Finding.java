package org.trainer.core.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a rule watching a run found: which rule, when (epoch and iteration), how serious, a
 * sentence for the user, and the figures that triggered it.
 *
 * @param rule      the rule's name, e.g. "VanishingGradient"
 * @param severity  how serious
 * @param epoch     the epoch it was found in, 0-based
 * @param iteration the optimizer step it was found at (steps taken so far in the fit)
 * @param message   what was seen and what to do, in one or two sentences
 * @param values    the figures behind it (e.g. "grad_norm/0.weight" -> 3.2e-9), in a stable order
 */
public record Finding(String rule, Severity severity, int epoch, long iteration, String message,
                      Map<String, Double> values) {

    /**
     * Checks the fields are given and keeps an unmodifiable copy of the values.
     *
     * @param rule the rule's name, e.g. "VanishingGradient"
     * @param severity how serious
     * @param epoch the epoch it was found in, 0-based
     * @param iteration the optimizer step it was found at (steps taken so far in the fit)
     * @param message what was seen and what to do, in one or two sentences
     * @param values the figures behind it (e.g. "grad_norm/0.weight" -> 3.2e-9), in a stable order
     */
    public Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
    }

    /** How serious a finding is. */
    public enum Severity {
        /** Worth a look; training may be fine. */
        INFO,
        /** Likely to hurt the result. */
        WARNING,
        /** The run is broken (NaN, divergence): continuing wastes time. */
        ERROR
    }
}
