package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/** The loss is judged on every step, whatever the sampling interval, and a stop takes effect at once. */
class CheapSignalsTest {

    @Test
    void aNonFiniteLossIsFoundAtItsStepAndStopsTheRunThere() {
        // 25 samples a batch, no shuffling: sample 60 (NaN) is in the third batch.
        TensorDataset part = MonitorRulesTest.part(0, 240);
        float[] x = part.features().toFloatArray();
        x[60 * 64] = Float.NaN;
        TensorDataset data = new TensorDataset(Tensor.fromArray(x, part.features().shape()), part.targets());
        Monitor m = Monitor.builder().rule(new ExplodingTensor(), Action.stop()).build();
        MonitorTest.StepCount count = new MonitorTest.StepCount();
        var model = MonitorTest.small();
        History h = new Trainer().callbacks(m, count).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.05, 0.9), DataLoader.builder(data).batchSize(25).build(), null, 3);
        assertEquals(100, m.every(), "the default interval samples steps 1, 101, ...");
        assertEquals(3, count.last, "no step after the one whose loss was NaN");
        Finding f = h.findings().get(0);
        assertEquals(3, f.iteration());
        assertTrue(f.message().startsWith("the loss is NaN at step 3"), f::message);
        assertEquals(1, h.epochCount());
    }

    @Test
    void aLossExplodedAgainstItsRunningMeanIsFoundOnce() {
        ExplodingTensor r = new ExplodingTensor();
        List<Finding> found = new ArrayList<>();
        double[] losses = {2.3, 2.2, 2.1, 2.0, 1.9, 1.5, 1.2, 1.0, 30, 500, 1e4, 1.0};
        for (int i = 0; i < losses.length; i++) {
            found.addAll(r.onLoss(0, i + 1, losses[i]));
        }
        assertEquals(1, found.size(), found::toString);
        assertEquals(9, found.get(0).iteration(), "30 is over 10 times the start level 2.1");
        assertEquals(2.1, found.get(0).values().get("loss_running_mean"), 1e-9);
    }

    @Test
    void aRunThatDivergesAtStepTwoIsFoundAtStepTwo() {
        ExplodingTensor r = new ExplodingTensor();
        assertEquals(List.of(), r.onLoss(0, 1, 2.3));
        List<Finding> found = r.onLoss(0, 2, 6e9);
        assertEquals(1, found.size());
        assertEquals(2, found.get(0).iteration());
        assertTrue(found.get(0).message().startsWith("the loss exploded to 6.000e+09 at step 2"), found.get(0)::message);
    }

    @Test
    void aLossFarBelowItsStartIsNotJudgedAgainstItsNoise() {
        ExplodingTensor r = new ExplodingTensor();
        List<Finding> found = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double loss = i < 100 ? 2.3 / (1 + i) : (i % 7 == 0 ? 0.9 : 0.01);
            found.addAll(r.onLoss(0, i + 1, loss));
        }
        assertEquals(List.of(), found, "a noisy batch of 0.9 against a mean of 0.1 stays under the start level");
    }

    @Test
    void theRunningMeanTravelsInTheState() {
        ExplodingTensor a = new ExplodingTensor();
        for (int i = 0; i < 8; i++) {
            a.onLoss(0, i + 1, 2.0);
        }
        ExplodingTensor b = new ExplodingTensor();
        b.loadStateDict(a.stateDict());
        assertEquals(1, b.onLoss(0, 9, 25.0).size(), "the restored rule judges against the saved level 2.0");
    }

    @Test
    void statesSavedBeforeTheNewFiguresStillLoad() {
        ExplodingTensor exploding = new ExplodingTensor();
        exploding.loadStateDict(java.util.Map.of("streak.magnitude", org.trainer.core.train.checkpoint.StateEntries.scalar(1)));
        assertEquals("1.0", String.valueOf(exploding.stateDict().get("streak.magnitude").item()));
        Overfit overfit = new Overfit();
        overfit.loadStateDict(java.util.Map.of("best_val", org.trainer.core.train.checkpoint.StateEntries.scalar(0.5),
                "loss_at_best", org.trainer.core.train.checkpoint.StateEntries.scalar(0.4),
                "since", org.trainer.core.train.checkpoint.StateEntries.scalar(0)));
        assertEquals(0.5, overfit.stateDict().get("best_val").item());
        LossNotDecreasing stall = new LossNotDecreasing();
        stall.loadStateDict(java.util.Map.of("best", org.trainer.core.train.checkpoint.StateEntries.scalar(2.0),
                "since", org.trainer.core.train.checkpoint.StateEntries.scalar(1)));
        assertEquals(1.0, stall.stateDict().get("since").item());
    }
}
