package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Finding;

/**
 * ReLU units that output 0 for every sample get no gradient and may never recover (a too large
 * learning rate, strongly negative biases). Reports (WARNING) a ReLU layer whose fraction of dead
 * units (0 for the whole sampled batch) is at least {@code maxDeadFraction} (default 0.5) on
 * {@code patience} sampled steps in a row (default 2), once per streak. Only ReLU layers run by a
 * container ({@link org.trainer.core.nn.Sequential}) are seen.
 */
public final class DeadRelu extends StreakRule {
    private final double maxDeadFraction;
    private final int patience;

    /** With the defaults maxDeadFraction 0.5, patience 2. */
    public DeadRelu() {
        this(0.5, 2);
    }

    /**
     * Reports when the dead fraction reaches {@code maxDeadFraction} in (0, 1] on {@code patience} (at least 1) sampled
     * steps in a row.
     *
     * @param maxDeadFraction the dead fraction that counts
     * @param patience sampled steps in a row
     */
    public DeadRelu(double maxDeadFraction, int patience) {
        if (!(maxDeadFraction > 0 && maxDeadFraction <= 1)) {
            throw new IllegalArgumentException("DeadRelu: maxDeadFraction must be in (0, 1], got " + maxDeadFraction);
        }
        checkPatience("DeadRelu", patience);
        this.maxDeadFraction = maxDeadFraction;
        this.patience = patience;
    }

    @Override
    public String name() {
        return "DeadRelu";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        List<Finding> out = new ArrayList<>();
        for (Snapshot.ActivationStats a : s.activations()) {
            if (!a.kind().equals("ReLU") || !hit(a.name(), a.deadUnitFraction() >= maxDeadFraction, patience)) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("dead_fraction/" + a.name(), a.deadUnitFraction());
            values.put("zero_fraction/" + a.name(), a.zeroFraction());
            out.add(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), String.format(
                    "%.0f%% of the units of ReLU %s output 0 for every sample (limit %.0f%%): they get no gradient; "
                            + "lower the learning rate, check the biases or use LeakyReLU",
                    100 * a.deadUnitFraction(), a.name(), 100 * maxDeadFraction), values));
        }
        return out;
    }
}
