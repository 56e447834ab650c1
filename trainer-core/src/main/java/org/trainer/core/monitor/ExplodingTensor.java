package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run diverges: a NaN or infinite value in the loss, a weight, a gradient or an activation, or
 * a weight or gradient larger in magnitude than {@code maxAbs} (default 1e4). Reported as ERROR
 * once per streak (again only after the values have come back), usually too late to rescue the
 * run: pair it with {@link Action#stop()}. Lower the learning rate, clip gradients, check the data
 * for NaN.
 */
public final class ExplodingTensor extends StreakRule {
    private final double maxAbs;

    /** With the default maxAbs 1e4. */
    public ExplodingTensor() {
        this(1e4);
    }

    /**
     * Reports values larger in magnitude than {@code maxAbs} (positive), or not finite.
     *
     * @param maxAbs the largest magnitude allowed
     */
    public ExplodingTensor(double maxAbs) {
        if (!(maxAbs > 0)) {
            throw new IllegalArgumentException("ExplodingTensor: maxAbs must be > 0, got " + maxAbs);
        }
        this.maxAbs = maxAbs;
    }

    @Override
    public String name() {
        return "ExplodingTensor";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        Map<String, Double> values = new LinkedHashMap<>();
        long nonFinite = 0;
        if (!Double.isFinite(s.loss())) {
            values.put("loss", s.loss());
            nonFinite++;
        }
        double largest = 0;
        String largestName = null;
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (p.nonFinite() > 0) {
                values.put("non_finite/" + p.name(), (double) p.nonFinite());
                nonFinite += p.nonFinite();
            }
            if (p.maxAbs() > largest) {
                largest = p.maxAbs();
                largestName = p.name();
            }
        }
        for (Snapshot.ActivationStats a : s.activations()) {
            if (a.nonFinite() > 0) {
                values.put("non_finite/" + a.name(), (double) a.nonFinite());
                nonFinite += a.nonFinite();
            }
        }
        boolean nan = hit("non_finite", nonFinite > 0, 1);
        boolean big = hit("magnitude", largest > maxAbs, 1);
        if (!nan && !big) {
            return List.of();
        }
        String message;
        if (nan) {
            message = nonFinite + " NaN or infinite values (loss " + s.loss() + "): training has diverged; lower the "
                    + "learning rate, clip gradients or check the inputs";
        } else {
            values.clear();
            message = String.format("|value| reached %.3g in %s (limit %.0e): training is diverging; lower the "
                    + "learning rate or clip gradients", largest, largestName, maxAbs);
        }
        if (largestName != null) {
            values.put("max_abs/" + largestName, largest);
        }
        return List.of(new Finding(name(), Finding.Severity.ERROR, s.epoch(), s.iteration(), message, values));
    }
}
