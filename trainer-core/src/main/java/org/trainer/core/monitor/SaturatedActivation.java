package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Finding;

/**
 * Sigmoid or tanh outputs pressed against their bounds, where the slope is nearly 0 and the
 * gradient dies (inputs or weights too large). Reports (WARNING) a layer whose fraction of
 * saturated outputs (within {@link Snapshot.ActivationStats#SATURATION_MARGIN} of a bound) is at
 * least {@code maxSaturatedFraction} (default 0.5) on {@code patience} sampled steps in a row
 * (default 2), once per streak.
 */
public final class SaturatedActivation extends StreakRule {
    private final double maxSaturatedFraction;
    private final int patience;

    /** With the defaults maxSaturatedFraction 0.5, patience 2. */
    public SaturatedActivation() {
        this(0.5, 2);
    }

    /**
     * Reports when the saturated fraction reaches {@code maxSaturatedFraction} in (0, 1] on {@code patience} (at least
     * 1) sampled steps in a row.
     *
     * @param maxSaturatedFraction the saturated fraction that counts
     * @param patience sampled steps in a row
     */
    public SaturatedActivation(double maxSaturatedFraction, int patience) {
        if (!(maxSaturatedFraction > 0 && maxSaturatedFraction <= 1)) {
            throw new IllegalArgumentException("SaturatedActivation: maxSaturatedFraction must be in (0, 1], got "
                    + maxSaturatedFraction);
        }
        checkPatience("SaturatedActivation", patience);
        this.maxSaturatedFraction = maxSaturatedFraction;
        this.patience = patience;
    }

    @Override
    public String name() {
        return "SaturatedActivation";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        List<Finding> out = new ArrayList<>();
        for (Snapshot.ActivationStats a : s.activations()) {
            if (a.kind().equals("ReLU")
                    || !hit(a.name(), a.saturatedFraction() >= maxSaturatedFraction, patience)) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("saturated_fraction/" + a.name(), a.saturatedFraction());
            out.add(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), String.format(
                    "%.0f%% of the outputs of %s %s are saturated (limit %.0f%%): their gradient is nearly 0; "
                            + "normalize the inputs, scale the initialization down or use ReLU",
                    100 * a.saturatedFraction(), a.kind(), a.name(), 100 * maxSaturatedFraction), values));
        }
        return out;
    }
}
