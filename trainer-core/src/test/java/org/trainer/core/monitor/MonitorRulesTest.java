package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Init;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/**
 * Each built-in rule on real runs over the UCI digits: one run that has the problem the rule looks
 * for, where it must report, and a healthy run, where it must not.
 */
class MonitorRulesTest {
    private static final TensorDataset ALL = Digits.load();
    private static final int[] ORDER = Shuffle.permutation(ALL.size(), 7, 0);

    static TensorDataset part(int from, int to) {
        return ALL.subset(Arrays.copyOfRange(ORDER, from, to));
    }

    /** Every built-in rule with its defaults. */
    static Rule[] allRules() {
        return new Rule[] {new VanishingGradient(), new ExplodingTensor(), new LossNotDecreasing(), new Overfit(),
            new Overtraining(), new PoorWeightInitialization(), new DeadRelu(), new SaturatedActivation(),
            new WeightUpdateRatio()};
    }

    static History fit(Module model, double lr, double momentum, TensorDataset train, TensorDataset val, int batch,
                       int epochs, Monitor monitor) {
        DataLoader tl = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(7).build();
        DataLoader vl = val == null ? null : DataLoader.builder(val).batchSize(512).build();
        return new Trainer().metrics(Accuracy::new).callbacks(monitor)
                .fit(model, new CrossEntropyLoss(), new MomentumSgd(model.parameters(), lr, momentum), tl, vl, epochs);
    }

    static Monitor monitor(int every, Rule... rules) {
        return Monitor.builder().every(every).rules(rules).build();
    }

    static List<String> rules(History h) {
        return h.findings().stream().map(Finding::rule).collect(Collectors.toList());
    }

    static List<Finding> of(History h, String rule) {
        return h.findings().stream().filter(f -> f.rule().equals(rule)).collect(Collectors.toList());
    }

    /** A small net with tanh and ReLU layers, default initialization, sensible rate. */
    static Sequential healthyModel() {
        Seeds.set(11);
        return new Sequential(new Linear(64, 64), new Activation.Tanh(), new Linear(64, 64), new Activation.ReLU(),
                new Linear(64, 10));
    }

    @Test
    void healthyRunTriggersNoRule() {
        History h = fit(healthyModel(), 0.05, 0.9, part(0, 1400), part(1400, 1797), 32, 6, monitor(10, allRules()));
        assertEquals(List.of(), h.findings(), () -> "a healthy run: " + h.findings() + "\n" + h);
        assertTrue(h.last("val_accuracy") > 0.9, h::toString);
    }

    @Test
    void healthySigmoidNetTriggersNoStepRule() {
        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, 32, true, Init.xavierUniform(1), 1), new Activation.Sigmoid(),
                new Linear(32, 32, true, Init.xavierUniform(1), 2), new Activation.Sigmoid(), new Linear(32, 10));
        History h = fit(model, 0.2, 0.9, part(0, 1400), part(1400, 1797), 16, 6, monitor(10, new VanishingGradient(),
                new ExplodingTensor(), new PoorWeightInitialization(), new SaturatedActivation(), new WeightUpdateRatio()));
        assertEquals(List.of(), h.findings(), () -> "a shallow sigmoid net: " + h.findings() + "\n" + h);
        assertTrue(h.last("val_accuracy") > 0.8, h::toString);
    }

    @Test
    void explodingTensorOnLearningRateTen() {
        Seeds.set(11);
        Sequential model = healthyModel();
        List<Finding> called = new ArrayList<>();
        Monitor m = Monitor.builder().every(5)
                .rule(new ExplodingTensor(), Action.log(), Action.stop(), Action.call(called::add)).build();
        History h = fit(model, 10, 0.9, part(0, 1400), null, 32, 5, m);
        List<Finding> found = of(h, "ExplodingTensor");
        assertEquals(1, found.size(), () -> "" + h.findings());
        assertEquals(Finding.Severity.ERROR, found.get(0).severity());
        assertEquals(found, called, "user code sees each finding");
        assertTrue(h.epochCount() < 5, () -> "the stop action ends the run early: " + h);
    }

    @Test
    void vanishingGradientInADeepSigmoidNet() {
        Seeds.set(11);
        List<Module> layers = new ArrayList<>();
        layers.add(new Linear(64, 32));
        layers.add(new Activation.Sigmoid());
        for (int i = 0; i < 10; i++) {
            layers.add(new Linear(32, 32));
            layers.add(new Activation.Sigmoid());
        }
        layers.add(new Linear(32, 10));
        Sequential model = new Sequential(layers.toArray(new Module[0]));
        History h = fit(model, 0.05, 0.9, part(0, 640), null, 32, 1, monitor(5, new VanishingGradient()));
        List<Finding> found = of(h, "VanishingGradient");
        assertFalse(found.isEmpty(), h::toString);
        assertTrue(found.get(0).values().get("ratio") < 1e-3, () -> "" + found);
    }

    @Test
    void poorWeightInitializationOnAllZeroWeights() {
        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, 64, true, Init.zeros(), 1), new Activation.ReLU(),
                new Linear(64, 10, true, Init.zeros(), 2));
        History h = fit(model, 0.05, 0.9, part(0, 640), null, 32, 1, monitor(5, new PoorWeightInitialization()));
        List<Finding> found = of(h, "PoorWeightInitialization");
        assertEquals(List.of("0.weight", "2.weight"), found.stream().map(f -> f.message().split(" ")[4])
                .collect(Collectors.toList()), () -> "" + found);
        assertTrue(found.stream().allMatch(f -> f.severity() == Finding.Severity.ERROR && f.iteration() == 1));
    }

    @Test
    void poorWeightInitializationOnHugeWeights() {
        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, 64, true, Init.normal(0, 5), 1), new Activation.ReLU(),
                new Linear(64, 10));
        History h = fit(model, 0.001, 0, part(0, 320), null, 32, 1, monitor(5, new PoorWeightInitialization()));
        List<Finding> found = of(h, "PoorWeightInitialization");
        assertEquals(1, found.size(), () -> "" + found);
        assertEquals(40.0, found.get(0).values().get("scale/0.weight"), 2.0, "std 5 x sqrt(64)");
    }

    @Test
    void deadReluWhenTheBiasesPushEverythingBelowZero() {
        Sequential model = healthyModel();
        Linear second = (Linear) model.get(2);
        second.namedParameters().get("bias").set(Tensor.full(org.trainer.core.DType.FLOAT32, -20, 64));
        History h = fit(model, 0.05, 0.9, part(0, 640), null, 32, 1, monitor(5, new DeadRelu()));
        List<Finding> found = of(h, "DeadRelu");
        assertEquals(1, found.size(), () -> "" + h.findings());
        assertEquals(1.0, found.get(0).values().get("dead_fraction/3"));
    }

    @Test
    void saturatedActivationWithLargeWeights() {
        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, 64, true, Init.normal(0, 3), 1), new Activation.Sigmoid(),
                new Linear(64, 10));
        History h = fit(model, 0.05, 0.9, part(0, 640), null, 32, 1, monitor(5, new SaturatedActivation()));
        List<Finding> found = of(h, "SaturatedActivation");
        assertEquals(1, found.size(), () -> "" + h.findings());
        assertTrue(found.get(0).values().get("saturated_fraction/1") >= 0.5);
    }

    @Test
    void weightUpdateRatioWithATinyLearningRate() {
        History h = fit(healthyModel(), 1e-7, 0, part(0, 640), null, 32, 1, monitor(5, new WeightUpdateRatio()));
        List<Finding> found = of(h, "WeightUpdateRatio");
        assertEquals(3, found.size(), () -> "each of the three weight matrices: " + h.findings());
        assertTrue(found.stream().allMatch(f -> f.message().contains("too small")));
        assertEquals(11, found.get(0).iteration(), "the third sample in a row: steps 1, 6 and 11");
    }

    @Test
    void lossNotDecreasingWithLearningRateZero() {
        History h = fit(healthyModel(), 0, 0, part(0, 320), null, 32, 5, monitor(100, new LossNotDecreasing()));
        List<Finding> found = of(h, "LossNotDecreasing");
        assertEquals(1, found.size(), () -> "" + h.findings() + h);
        assertEquals(3, found.get(0).epoch(), "best at epoch 0, then 3 epochs without improvement");
    }

    /** A 300k-weight MLP on 100 digits: the classic way to overfit. */
    @Test
    void overfitAndOvertrainingOnAHundredSamples() {
        Seeds.set(3);
        Sequential model = new Sequential(new Linear(64, 512), new Activation.ReLU(), new Linear(512, 512),
                new Activation.ReLU(), new Linear(512, 10));
        History h = fit(model, 0.05, 0.9, part(0, 100), part(100, 600), 10, 17,
                monitor(100, new Overfit(), new Overtraining()));
        List<Finding> overtraining = of(h, "Overtraining");
        assertEquals(1, overtraining.size(), () -> h + "" + h.findings());
        // val_accuracy peaks at epoch 7 (0-based) and is lower at 8, 9 and 10.
        assertEquals(10, overtraining.get(0).epoch(), h::toString);
        assertEquals(h.get("val_accuracy").get(7), overtraining.get(0).values().get("best_val_accuracy"));
        List<Finding> overfit = of(h, "Overfit");
        assertEquals(1, overfit.size(), () -> h + "" + h.findings());
        // val_loss is lowest at epoch 7; from epoch 13 on it stays above while the loss is below epoch 7's.
        assertEquals(15, overfit.get(0).epoch(), h::toString);
        assertTrue(overfit.get(0).values().get("loss") < overfit.get(0).values().get("loss_at_best"));
        assertTrue(overfit.get(0).values().get("val_loss") > overfit.get(0).values().get("best_val_loss"));
    }

    /** A 260k-weight MLP on 60 digits, 40% of them with a wrong label: caught within a few epochs of the start. */
    @Test
    void overfittingOnSixtyNoisySamplesIsCaughtSoonAfterItStarts() {
        Seeds.set(3);
        Sequential model = new Sequential(new Linear(64, 256), new Activation.ReLU(), new Linear(256, 256),
                new Activation.ReLU(), new Linear(256, 10));
        TensorDataset clean = part(0, 60);
        int[] y = clean.targets().toIntArray();
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < y.length; i++) {
            if (r.nextDouble() < 0.4) {
                y[i] = (y[i] + 1 + r.nextInt(9)) % 10;
            }
        }
        TensorDataset noisy = new TensorDataset(clean.features(), Tensor.fromArray(y, y.length));
        History h = fit(model, 0.05, 0.9, noisy, part(100, 600), 10, 20, monitor(100, new Overfit(), new Overtraining()));
        List<Double> val = h.get("val_loss");
        int best = val.indexOf(val.stream().min(Double::compare).orElseThrow());
        List<Finding> overfit = of(h, "Overfit");
        assertEquals(1, overfit.size(), () -> h + "" + h.findings());
        assertTrue(overfit.get(0).epoch() <= best + 5, () -> "validation loss lowest at epoch " + best + ", found at "
                + overfit.get(0).epoch() + "\n" + h);
    }

    @Test
    void noOverfittingReportedAtChanceAccuracy() {
        Overfit overfit = new Overfit();
        Overtraining overtraining = new Overtraining();
        List<Finding> found = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
            // Nothing learned: both accuracies near 0.1; validation loss up 20% while the training loss creeps down.
            java.util.Map<String, Double> logs = java.util.Map.of("loss", 2.30 - 0.01 * e, "val_loss",
                    e == 0 ? 2.30 : 2.76, "accuracy", 0.11, "val_accuracy", e == 0 ? 0.14 : 0.09);
            EpochFigures f = new EpochFigures(e, 10L * e, logs);
            found.addAll(overfit.onEpoch(f));
            found.addAll(overtraining.onEpoch(f));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void noiseOfAFewValidationSamplesIsTolerated() {
        Overfit overfit = new Overfit();
        Overtraining overtraining = new Overtraining();
        List<Finding> found = new ArrayList<>();
        double[] val = {0.30, 0.12, 0.0422, 0.0425, 0.0424, 0.0425, 0.0426};
        double[] valAcc = {0.90, 0.95, 0.9749, 0.9610, 0.9638, 0.9610, 0.9666};
        for (int e = 0; e < val.length; e++) {
            EpochFigures f = new EpochFigures(e, 10L * e, java.util.Map.of("loss", 0.5 / (e + 1), "val_loss", val[e],
                    "accuracy", 0.99, "val_accuracy", valAcc[e]));
            found.addAll(overfit.onEpoch(f));
            found.addAll(overtraining.onEpoch(f));
        }
        assertEquals(List.of(), found, "the issue's quick-start figures: +0.8% loss, 5 of 359 samples");
    }

    @Test
    void aConvergedLossThatLevelsOffIsNoStall() {
        LossNotDecreasing rule = new LossNotDecreasing();
        List<Finding> found = new ArrayList<>();
        double[] loss = {1.51, 0.32, 0.18, 0.10, 0.061, 0.042, 0.040, 0.043, 0.046, 0.046, 0.041};
        for (int e = 0; e < loss.length; e++) {
            found.addAll(rule.onEpoch(new EpochFigures(e, 10L * e, java.util.Map.of("loss", loss[e]))));
        }
        assertEquals(List.of(), found, "fell 38-fold, then noise");
        LossNotDecreasing stuck = new LossNotDecreasing();
        for (int e = 0; e < 5; e++) {
            found.addAll(stuck.onEpoch(new EpochFigures(e, 10L * e, java.util.Map.of("loss", e == 0 ? 2.4 : 1.3))));
        }
        assertEquals(1, found.size(), "a plateau at half the first loss is a stall: " + found);
    }
}
