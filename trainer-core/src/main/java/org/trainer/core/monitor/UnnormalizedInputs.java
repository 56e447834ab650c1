package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * Inputs far from unit scale (raw pixel values 0..255, unscaled physical units) make the first layer's
 * steps huge, saturate or kill units and push a run to diverge. The inputs themselves are not
 * sampled; their scale shows in the first layer's gradients: for y = x W^T + b,
 * dL/dW[j][k] = sum_n d[n][j] x[n][k] and dL/db[j] = sum_n d[n][j], so the root mean square of the
 * weight gradient over that of the bias gradient is about the inputs' root mean square (about 0.3 to
 * 1 for inputs scaled to [0, 1] or standardized). Judged once, on the first sampled step where both
 * gradients are nonzero (before training can kill the units): reports (WARNING) when that ratio
 * exceeds {@code maxScale} (default 10). Needs a first weight tensor with a bias beside it
 * ("x.weight", "x.bias").
 */
public final class UnnormalizedInputs implements Rule {
    private final double maxScale;
    private boolean judged;

    /** With the default maxScale 10. */
    public UnnormalizedInputs() {
        this(10);
    }

    public UnnormalizedInputs(double maxScale) {
        if (!(maxScale > 0) || Double.isInfinite(maxScale)) {
            throw new IllegalArgumentException("UnnormalizedInputs: maxScale must be a finite number > 0, got "
                    + maxScale);
        }
        this.maxScale = maxScale;
    }

    @Override
    public String name() {
        return "UnnormalizedInputs";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        if (judged) {
            return List.of();
        }
        Snapshot.ParameterStats weight = null;
        Snapshot.ParameterStats bias = null;
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (weight == null && p.isWeight()) {
                weight = p;
            } else if (weight != null && p.name().equals(biasOf(weight.name()))) {
                bias = p;
            }
        }
        if (weight == null || bias == null || !(bias.gradRms() > 0) || !(weight.gradRms() > 0)
                || !Double.isFinite(weight.gradRms())) {
            return List.of();
        }
        judged = true;
        double scale = weight.gradRms() / bias.gradRms();
        if (!(scale > maxScale)) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("input_scale", scale);
        values.put("grad_rms/" + weight.name(), weight.gradRms());
        values.put("grad_rms/" + bias.name(), bias.gradRms());
        return List.of(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), String.format(
                "the first layer's gradients put the inputs' scale at about %.3g (root mean square; limit %.3g): the "
                        + "inputs are not normalized; standardize each feature or scale it to [0, 1]", scale, maxScale),
                values));
    }

    private static String biasOf(String weightName) {
        return weightName.endsWith("weight") ? weightName.substring(0, weightName.length() - "weight".length()) + "bias"
                : null;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("judged", StateEntries.scalar(judged ? 1 : 0));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(name(), state, Set.of("judged"));
        judged = StateEntries.readCount(name(), state, "judged") != 0;
    }
}
