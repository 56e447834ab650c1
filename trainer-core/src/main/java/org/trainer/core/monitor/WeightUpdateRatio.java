package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.train.Finding;

/**
 * The size of a step against the size of the weights: ||w_after - w_before|| / ||w_before||, about
 * 1e-3 in a healthy run. Reports (WARNING) a weight tensor whose ratio lies outside
 * [{@code minRatio}, {@code maxRatio}] (default [1e-5, 1e-1], a factor 100 either way) on
 * {@code patience} sampled steps in a row (default 3), once per streak: far below, the learning
 * rate is too small to get anywhere; far above, too large to be stable. Where the learning rate is
 * not to blame the finding says so: a zero gradient (nothing reaches the tensor: dead units after it,
 * a detached path), or a step that changed nothing despite a gradient (the optimizer does not update
 * the tensor: left out of it, or a learning rate of 0). Frozen and zero tensors are skipped.
 */
public final class WeightUpdateRatio extends StreakRule {
    private final double minRatio;
    private final double maxRatio;
    private final int patience;

    /** With the defaults minRatio 1e-5, maxRatio 1e-1, patience 3. */
    public WeightUpdateRatio() {
        this(1e-5, 1e-1, 3);
    }

    /**
     * Reports ratios outside [minRatio, maxRatio] (0 &lt;= minRatio &lt; maxRatio) on {@code patience} (at least 1)
     * sampled steps in a row.
     *
     * @param minRatio the smallest ratio accepted
     * @param maxRatio the largest ratio accepted
     * @param patience sampled steps in a row
     */
    public WeightUpdateRatio(double minRatio, double maxRatio, int patience) {
        if (!(minRatio >= 0 && maxRatio > minRatio)) {
            throw new IllegalArgumentException("WeightUpdateRatio: need 0 <= minRatio < maxRatio, got " + minRatio
                    + " and " + maxRatio);
        }
        checkPatience("WeightUpdateRatio", patience);
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
        this.patience = patience;
    }

    @Override
    public String name() {
        return "WeightUpdateRatio";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        List<Finding> out = new ArrayList<>();
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (!p.isWeight() || !(p.weightNorm() > 0) || !Double.isFinite(p.updateNorm())) {
                continue;
            }
            double ratio = p.updateNorm() / p.weightNorm();
            if (!hit(p.name(), ratio < minRatio || ratio > maxRatio, patience)) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("update_ratio/" + p.name(), ratio);
            values.put("update_norm/" + p.name(), p.updateNorm());
            values.put("weight_norm/" + p.name(), p.weightNorm());
            values.put("grad_norm/" + p.name(), p.gradNorm());
            out.add(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), message(p, ratio),
                    values));
        }
        return out;
    }

    private String message(Snapshot.ParameterStats p, double ratio) {
        if (p.gradNorm() == 0) {
            return String.format("%s gets no gradient (its steps, %.1e of its norm, are what momentum has left): "
                    + "nothing reaches it from the loss (dead ReLUs after it, a detached path, a loss that ignores its "
                    + "outputs)", p.name(), ratio);
        }
        if (p.updateNorm() == 0) {
            return String.format("%s does not change although its gradient is %.2e: the optimizer does not update it "
                    + "(the parameter was left out of the optimizer, or its learning rate is 0)", p.name(),
                    p.gradNorm());
        }
        return String.format("the steps of %s change it by %.1e of its norm (expected about 1e-3, limits %.0e to "
                + "%.0e): the learning rate looks too %s", p.name(), ratio, minRatio, maxRatio,
                ratio < minRatio ? "small" : "large");
    }
}
