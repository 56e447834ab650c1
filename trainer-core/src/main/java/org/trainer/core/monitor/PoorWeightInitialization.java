package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * Weights that start badly: judged once, on the first sampled step, from the weights that step
 * used. A weight tensor (2 or more axes) whose values are all equal (all zero, say): ERROR; its
 * units stay identical for ever when their biases are equal too (or absent), and are told apart only
 * through their biases otherwise. Otherwise its scale s = std(w) * sqrt(fanIn), which is about 0.6 for
 * PyTorch's default, 1 for LeCun and 1.4 for Kaiming initialization, must lie in
 * [{@code minScale}, {@code maxScale}] (default [0.1, 10]); outside it the signal shrinks or grows
 * layer after layer: WARNING. Biases and norm scales are not judged.
 */
public final class PoorWeightInitialization implements Rule {
    private final double minScale;
    private final double maxScale;
    private boolean judged;

    /** With the defaults minScale 0.1, maxScale 10. */
    public PoorWeightInitialization() {
        this(0.1, 10);
    }

    /**
     * Accepts scales in [minScale, maxScale], with 0 &lt; minScale &lt; maxScale.
     *
     * @param minScale the smallest scale accepted
     * @param maxScale the largest scale accepted
     */
    public PoorWeightInitialization(double minScale, double maxScale) {
        if (!(minScale > 0 && maxScale > minScale)) {
            throw new IllegalArgumentException("PoorWeightInitialization: need 0 < minScale < maxScale, got "
                    + minScale + " and " + maxScale);
        }
        this.minScale = minScale;
        this.maxScale = maxScale;
    }

    @Override
    public String name() {
        return "PoorWeightInitialization";
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        if (judged) {
            return List.of();
        }
        judged = true;
        List<Finding> out = new ArrayList<>();
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (!p.isWeight()) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("mean/" + p.name(), p.weightMean());
            values.put("std/" + p.name(), p.weightStd());
            if (p.weightStd() == 0) {
                out.add(new Finding(name(), Finding.Severity.ERROR, s.epoch(), s.iteration(), String.format(
                        "all %d weights of %s equal %.3g: %s; initialize with random values (Init.kaimingNormal, "
                                + "Init.xavierUniform, ...)", p.numel(), p.name(), p.weightMean(),
                        biasesDiffer(s, p) ? "its units differ only through their biases, so they learn nearly the "
                                + "same features" : "its units get the same gradient and stay identical"), values));
                continue;
            }
            double scale = p.weightStd() * Math.sqrt(p.fanIn());
            if (scale < minScale || scale > maxScale) {
                values.put("scale/" + p.name(), scale);
                out.add(new Finding(name(), Finding.Severity.WARNING, s.epoch(), s.iteration(), String.format(
                        "%s starts with std %.3g, %.3g / sqrt(fanIn %d) (expected %.2g to %.2g / sqrt(fanIn)): the "
                                + "signal %s from layer to layer; use a fan-in scaled initializer",
                        p.name(), p.weightStd(), scale, p.fanIn(), minScale, maxScale,
                        scale < minScale ? "shrinks" : "grows"), values));
            }
        }
        return out;
    }

    /** Whether the bias beside a weight ("x.weight" and "x.bias") has values that differ. */
    private static boolean biasesDiffer(Snapshot s, Snapshot.ParameterStats weight) {
        String n = weight.name();
        String bias = n.endsWith("weight") ? n.substring(0, n.length() - "weight".length()) + "bias" : null;
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (p.name().equals(bias)) {
                return p.weightStd() > 0;
            }
        }
        return false;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("judged", StateEntries.scalar(judged ? 1 : 0));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(name(), state, java.util.Set.of("judged"));
        judged = StateEntries.readCount(name(), state, "judged") != 0;
    }
}
