package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Finding;

/**
 * The gradient fades on its way back through the layers, so the early layers stop learning (deep
 * sigmoid or tanh stacks, poor initialization). Looks at the weight tensors' gradient root mean
 * square r = ||g|| / sqrt(n) and reports (WARNING) when min r / max r &lt; {@code maxRatio}
 * (default 1e-3: one layer learns a thousand times slower than another) or when every layer's
 * r &lt; {@code minRms} (default 1e-8: nothing learns), on {@code patience} sampled steps in a row
 * (default 2). Needs at least one weight tensor with a finite gradient.
 */
public final class VanishingGradient extends StreakRule {
    private final double maxRatio;
    private final double minRms;
    private final int patience;

    /** With the defaults: maxRatio 1e-3, minRms 1e-8, patience 2. */
    public VanishingGradient() {
        this(1e-3, 1e-8, 2);
    }

    /**
     * Reports when min r / max r falls below {@code maxRatio} in (0, 1) or every r below {@code minRms} (at least 0),
     * on {@code patience} (at least 1) sampled steps in a row.
     *
     * @param maxRatio the smallest ratio min r / max r accepted
     * @param minRms the smallest r accepted when every layer is below it
     * @param patience sampled steps in a row
     */
    public VanishingGradient(double maxRatio, double minRms, int patience) {
        if (!(maxRatio > 0 && maxRatio < 1)) {
            throw new IllegalArgumentException("VanishingGradient: maxRatio must be in (0, 1), got " + maxRatio);
        }
        if (!(minRms >= 0)) {
            throw new IllegalArgumentException("VanishingGradient: minRms must be >= 0, got " + minRms);
        }
        checkPatience("VanishingGradient", patience);
        this.maxRatio = maxRatio;
        this.minRms = minRms;
        this.patience = patience;
    }

    @Override
    public String name() {
        return "VanishingGradient";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        Snapshot.ParameterStats lo = null;
        Snapshot.ParameterStats hi = null;
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (!p.isWeight() || !Double.isFinite(p.gradNorm())) {
                continue;
            }
            if (lo == null || p.gradRms() < lo.gradRms()) {
                lo = p;
            }
            if (hi == null || p.gradRms() > hi.gradRms()) {
                hi = p;
            }
        }
        if (lo == null) {
            return List.of();
        }
        double ratio = hi.gradRms() == 0 ? 0 : lo.gradRms() / hi.gradRms();
        boolean allSmall = hi.gradRms() < minRms;
        if (!hit("gradient", ratio < maxRatio || allSmall, patience)) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("grad_rms/" + lo.name(), lo.gradRms());
        values.put("grad_rms/" + hi.name(), hi.gradRms());
        values.put("ratio", ratio);
        String message;
        if (hi.gradRms() == 0) {
            message = "every layer's gradient is exactly 0: nothing reaches the weights (every ReLU dead, a detached "
                    + "output or a loss that ignores the model); check the activations and the loss";
        } else if (allSmall) {
            message = String.format("every layer's gradient is below %.1e (largest %.2e in %s): the network has "
                    + "stopped learning; check the initialization and the activations", minRms, hi.gradRms(), hi.name());
        } else {
            message = String.format("the gradient of %s is %.1e times that of %s (limit %.0e): the early layers "
                    + "barely learn; prefer ReLU-like activations, a better initialization or normalization layers",
                    lo.name(), ratio, hi.name(), maxRatio);
        }
        return List.of(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), message, values));
    }
}
