package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.train.Finding;

/** The rules' findings name what they saw, on hand-made snapshots, and stay quiet where nothing is wrong. */
class RuleWordingTest {

    private static Snapshot.ParameterStats weight(String name, double std, double grad, double update) {
        return new Snapshot.ParameterStats(name, 640, 64, 10 * std * Math.sqrt(640), 0, std, grad, update, 1, 0);
    }

    private static Snapshot.ParameterStats bias(String name, double std, double grad) {
        return new Snapshot.ParameterStats(name, 10, 0, 1, 0, std, grad, 0.001, 1, 0);
    }

    private static Snapshot step(long i, Snapshot.ParameterStats... ps) {
        return new Snapshot(0, i, 1.0, List.of(ps), List.of());
    }

    @Test
    void weightUpdateRatioBlamesAZeroGradientNotTheLearningRate() {
        WeightUpdateRatio r = new WeightUpdateRatio(1e-5, 1e-1, 1);
        Finding f = r.onStep(step(1, weight("0.weight", 0.1, 0, 0))).get(0);
        assertTrue(f.message().contains("gets no gradient"), f::message);
        assertFalse(f.message().contains("too small"), f::message);
    }

    @Test
    void weightUpdateRatioNamesAnOptimizerThatDoesNotUpdate() {
        WeightUpdateRatio r = new WeightUpdateRatio(1e-5, 1e-1, 1);
        Finding f = r.onStep(step(1, weight("0.weight", 0.1, 0.5, 0))).get(0);
        assertTrue(f.message().contains("left out of the optimizer, or its learning rate is 0"), f::message);
    }

    @Test
    void weightUpdateRatioStillCallsATinyStepATooSmallRate() {
        WeightUpdateRatio r = new WeightUpdateRatio(1e-5, 1e-1, 1);
        Finding f = r.onStep(step(1, weight("0.weight", 0.1, 0.5, 1e-9))).get(0);
        assertTrue(f.message().contains("learning rate looks too small"), f::message);
    }

    @Test
    void vanishingGradientSaysExactlyZeroWhenEveryGradientIs() {
        VanishingGradient r = new VanishingGradient(1e-3, 1e-8, 1);
        Finding f = r.onStep(step(1, weight("0.weight", 0.1, 0, 0), weight("2.weight", 0.1, 0, 0))).get(0);
        assertTrue(f.message().startsWith("every layer's gradient is exactly 0"), f::message);
        assertFalse(f.message().contains("0.00e+00"), f::message);
    }

    @Test
    void poorInitializationSaysUnitsStayIdenticalOnlyWhenTheirBiasesAreEqualToo() {
        Finding equal = new PoorWeightInitialization().onStep(step(1, weight("0.weight", 0, 0.1, 0.1),
                bias("0.bias", 0, 0.1))).get(0);
        assertTrue(equal.message().contains("stay identical"), equal::message);
        Finding differ = new PoorWeightInitialization().onStep(step(1, weight("0.weight", 0, 0.1, 0.1),
                bias("0.bias", 0.3, 0.1))).get(0);
        assertFalse(differ.message().contains("stay identical"), differ::message);
        assertTrue(differ.message().contains("differ only through their biases"), differ::message);
    }

    @Test
    void unnormalizedInputsFromTheFirstLayersGradients() {
        // Gradient root mean squares 40 (weight: norm 40 sqrt(640)) and 1 (bias: norm sqrt(10)).
        Finding f = new UnnormalizedInputs().onStep(step(1, weight("0.weight", 0.1, Math.sqrt(640) * 40, 0.1),
                bias("0.bias", 0.1, Math.sqrt(10)))).get(0);
        assertEquals(40.0, f.values().get("input_scale"), 1e-9);
        UnnormalizedInputs quiet = new UnnormalizedInputs();
        assertEquals(List.of(), quiet.onStep(step(1, weight("0.weight", 0.1, Math.sqrt(640) * 0.5, 0.1),
                bias("0.bias", 0.1, Math.sqrt(10) * 1.0))), "rms ratio 0.5: inputs of unit scale");
    }
}
