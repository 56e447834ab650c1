package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;

/**
 * ReduceLrOnPlateau against torch.optim.lr_scheduler.ReduceLROnPlateau driven by the same 200
 * metric values (reference/generate_schedules.py), both groups' rates after every step; its use as
 * a callback; its argument checks.
 */
class ReduceLrOnPlateauTest {

    static SGD optimizer(double lr0, double lr1) {
        SGD.Options momentum = SGD.options(0).withMomentum(0.9);
        return new SGD(List.of(OptimizerGroup.of(List.of(new Parameter(Tensor.zeros(2))), momentum.withLr(lr0)),
                OptimizerGroup.of(List.of(new Parameter(Tensor.zeros(3))), momentum.withLr(lr1))));
    }

    static ReduceLrOnPlateau fromTorchArguments(SGD opt, JsonNode kw) {
        ReduceLrOnPlateau.Builder b = ReduceLrOnPlateau.builder(opt);
        if (kw.has("mode")) {
            b.mode(ReduceLrOnPlateau.Mode.valueOf(kw.get("mode").asText().toUpperCase()));
        }
        if (kw.has("factor")) {
            b.factor(kw.get("factor").asDouble());
        }
        if (kw.has("patience")) {
            b.patience(kw.get("patience").asInt());
        }
        if (kw.has("threshold") || kw.has("threshold_mode")) {
            b.threshold(kw.has("threshold") ? kw.get("threshold").asDouble() : 1e-4,
                    ReduceLrOnPlateau.ThresholdMode.valueOf(kw.has("threshold_mode")
                            ? kw.get("threshold_mode").asText().toUpperCase() : "REL"));
        }
        if (kw.has("cooldown")) {
            b.cooldown(kw.get("cooldown").asInt());
        }
        if (kw.has("min_lr")) {
            JsonNode m = kw.get("min_lr");
            b.minLr(m.isArray() ? new double[] {m.get(0).asDouble(), m.get(1).asDouble()} : new double[] {m.asDouble()});
        }
        if (kw.has("eps")) {
            b.eps(kw.get("eps").asDouble());
        }
        return b.build();
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchAfterEveryStep() throws IOException {
        JsonNode root = ScheduleReferenceTest.fixture();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("plateau")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                SGD opt = optimizer(root.get("base").get(0).asDouble(), root.get("base").get(1).asDouble());
                ReduceLrOnPlateau plateau = fromTorchArguments(opt, c.get("params"));
                int reductions = 0;
                for (int t = 0; t < c.get("metrics").size(); t++) {
                    if (plateau.step(c.get("metrics").get(t).asDouble())) {
                        reductions++;
                    }
                    for (int g = 0; g < 2; g++) {
                        ScheduleReferenceTest.assertRate(name + " group " + g + " step " + t,
                                c.get("lr").get(g).get(t).asDouble(), opt.groups().get(g).learningRate());
                    }
                }
                assertTrue(reductions > 0, name + ": the run should lower the rate at least once");
            }));
        }
        return tests.stream();
    }

    @Test
    void asCallbackReadsTheMonitoredFigureAtEpochEnd() {
        SGD opt = optimizer(0.1, 0.01);
        ReduceLrOnPlateau plateau = ReduceLrOnPlateau.builder(opt).monitor("val_accuracy")
                .mode(ReduceLrOnPlateau.Mode.MAX).patience(1).factor(0.5).build();
        double[] accuracy = {0.5, 0.6, 0.6, 0.6, 0.7};
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05};
        for (int e = 0; e < accuracy.length; e++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", 1.0);
            logs.put("val_accuracy", accuracy[e]);
            plateau.onEpochEnd(null, e, logs);
            assertEquals(expected[e], opt.groups().get(0).learningRate(), 1e-15, "epoch " + e);
            assertEquals(expected[e] / 10, opt.groups().get(1).learningRate(), 1e-15, "epoch " + e);
        }
        assertEquals(0.7, plateau.best());
        assertEquals(5, plateau.steps());
    }

    @Test
    void inAFitTheNextEpochTrainsAtTheLoweredRate() {
        TensorDataset digits = Digits.load();
        Seeds.set(2);
        Sequential model = new Sequential(new Linear(64, 32), new Activation.ReLU(), new Linear(32, 10));
        SGD opt = new SGD(model.parameters(), SGD.options(0.05).withMomentum(0.9));
        // A 50% improvement per epoch is rarely reached: with patience 0 most epochs halve the rate.
        ReduceLrOnPlateau plateau = ReduceLrOnPlateau.builder(opt).patience(0).factor(0.5)
                .threshold(0.5, ReduceLrOnPlateau.ThresholdMode.REL).build();
        DataLoader train = DataLoader.builder(digits).batchSize(64).shuffle(true).seed(1).build();
        DataLoader val = DataLoader.builder(digits).batchSize(500).build();
        History h = new Trainer().callbacks(plateau).fit(model, new CrossEntropyLoss(), opt, train, val, 4);
        // Replaying the epochs' val_loss through step() gives the rate each next epoch trained at.
        SGD replayOpt = new SGD(model.parameters(), SGD.options(0.05).withMomentum(0.9));
        ReduceLrOnPlateau replay = ReduceLrOnPlateau.builder(replayOpt).patience(0).factor(0.5)
                .threshold(0.5, ReduceLrOnPlateau.ThresholdMode.REL).build();
        List<Double> expected = new ArrayList<>();
        for (double v : h.get("val_loss")) {
            expected.add(replayOpt.groups().get(0).learningRate());
            replay.step(v);
        }
        assertEquals(expected, h.get("lr"));
        assertEquals(replayOpt.groups().get(0).learningRate(), opt.groups().get(0).learningRate());
        assertTrue(opt.groups().get(0).learningRate() < 0.05, "some epoch should fall short: " + h.get("lr"));
        assertEquals(h.get("val_loss").stream().mapToDouble(Double::doubleValue).min().orElseThrow(), plateau.best());
    }

    @Test
    void aMissingFigureIsReportedWithTheFiguresThereAre() {
        ReduceLrOnPlateau plateau = ReduceLrOnPlateau.builder(optimizer(0.1, 0.1)).build();
        var e = assertThrows(IllegalStateException.class,
                () -> plateau.onEpochEnd(null, 0, new LinkedHashMap<>(Map.of("loss", 1.0))));
        assertEquals("ReduceLrOnPlateau: the epoch logs have no 'val_loss' (they have [loss]); give fit a validation "
                + "loader or monitor another figure", e.getMessage());
    }

    @Test
    void nanIsNeverAnImprovementAndCooldownSuspendsCounting() {
        SGD opt = optimizer(1, 1);
        ReduceLrOnPlateau plateau = ReduceLrOnPlateau.builder(opt).patience(0).cooldown(2).factor(0.5).build();
        assertFalse(plateau.step(1.0));
        assertTrue(plateau.step(Double.NaN));
        assertEquals(0.5, opt.groups().get(0).learningRate());
        assertTrue(plateau.inCooldown());
        assertFalse(plateau.step(Double.NaN));
        assertFalse(plateau.step(Double.NaN));
        assertTrue(plateau.step(Double.NaN));
        assertEquals(0.25, opt.groups().get(0).learningRate());
        plateau.reset();
        assertEquals(Double.POSITIVE_INFINITY, plateau.best());
        assertEquals(0, plateau.badEpochs());
    }

    @Test
    void argumentsAreValidatedWithTheirNames() {
        SGD opt = optimizer(0.1, 0.1);
        assertMessage("ReduceLrOnPlateau: factor must be in (0, 1), got 1.0",
                () -> ReduceLrOnPlateau.builder(opt).factor(1));
        assertMessage("ReduceLrOnPlateau: patience must be >= 0, got -1",
                () -> ReduceLrOnPlateau.builder(opt).patience(-1));
        assertMessage("ReduceLrOnPlateau: cooldown must be >= 0, got -2",
                () -> ReduceLrOnPlateau.builder(opt).cooldown(-2));
        assertMessage("ReduceLrOnPlateau: threshold must be a finite value >= 0, got -1.0E-4",
                () -> ReduceLrOnPlateau.builder(opt).threshold(-1e-4, ReduceLrOnPlateau.ThresholdMode.ABS));
        assertMessage("ReduceLrOnPlateau: minLr[1] must be a finite value >= 0, got NaN",
                () -> ReduceLrOnPlateau.builder(opt).minLr(0, Double.NaN));
        assertMessage("ReduceLrOnPlateau: eps must be a finite value >= 0, got Infinity",
                () -> ReduceLrOnPlateau.builder(opt).eps(Double.POSITIVE_INFINITY));
        assertMessage("ReduceLrOnPlateau: monitor must be a figure's name, got ''",
                () -> ReduceLrOnPlateau.builder(opt).monitor(""));
        assertMessage("ReduceLrOnPlateau: minLr must hold one value or one per parameter group (2), got 3 values "
                + "[0.0, 0.0, 0.0]", () -> ReduceLrOnPlateau.builder(opt).minLr(0, 0, 0).build());
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
