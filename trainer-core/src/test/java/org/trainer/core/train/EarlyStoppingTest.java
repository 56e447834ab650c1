package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Linear;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.StateEntries;

class EarlyStoppingTest {

    /** Replaces the monitored figure with a scripted series and keeps each epoch's weights. */
    static final class Scripted implements Callback {
        final String name;
        final double[] values;
        final List<float[]> weights = new ArrayList<>();

        Scripted(String name, double... values) {
            this.name = name;
            this.values = values;
        }

        @Override
        public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
            logs.put(name, values[epoch]);
            weights.add(ctx.model().parameters().get(0).value().toFloatArray());
        }
    }

    private static History fit(Linear model, int epochs, Callback... callbacks) {
        return fit(null, model, epochs, callbacks);
    }

    private static History fit(Checkpointing checkpoints, Linear model, int epochs, Callback... callbacks) {
        DataLoader train = DataLoader.builder(TrainerTest.regression(64, 1)).batchSize(16).build();
        DataLoader val = DataLoader.builder(TrainerTest.regression(32, 2)).batchSize(32).build();
        Trainer trainer = new Trainer().callbacks(callbacks);
        if (checkpoints != null) {
            trainer.checkpoints(checkpoints);
        }
        return trainer.fit(model, new MseLoss(), TrainerTest.gd(model.parameters(), 0.01), train, val, epochs);
    }

    /** Fails the run as a crash would, when the given epoch begins (its predecessor is checkpointed). */
    static final class CrashAtEpoch implements Callback {
        final int epoch;

        CrashAtEpoch(int epoch) {
            this.epoch = epoch;
        }

        @Override
        public void onEpochBegin(TrainingContext ctx, int e) {
            if (e == epoch) {
                throw new IllegalStateException("crash at epoch " + e);
            }
        }
    }

    @Test
    void aRunResumedFromACheckpointStopsAndRestoresAsOneThatNeverStopped(@TempDir Path dir) {
        double[] series = {1.0, 0.8, 0.6, 0.65, 0.7, 0.61, 0.9, 0.1, 0.1, 0.1};
        Linear straightModel = new Linear(3, 1, true, null, 1);
        EarlyStopping straight = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true);
        History expected = fit(straightModel, 10, new Scripted("val_loss", series), straight);
        assertEquals(5, straight.stoppedEpoch());

        // Crash when epoch 4 begins: the best (epoch 2) and one epoch of waiting are in the checkpoint of epoch 3.
        Checkpointing c = Checkpointing.builder(dir).build();
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> fit(c,
                new Linear(3, 1, true, null, 1), 10, new Scripted("val_loss", series),
                new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true), new CrashAtEpoch(4)));
        assertEquals("crash at epoch 4", crash.getMessage());

        Linear resumedModel = new Linear(3, 1, true, null, 1);
        EarlyStopping resumed = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true);
        History actual = fit(c, resumedModel, 10, new Scripted("val_loss", series), resumed);
        assertEquals(expected.epochCount(), actual.epochCount());
        assertEquals(straight.stoppedEpoch(), resumed.stoppedEpoch());
        assertEquals(straight.bestEpoch(), resumed.bestEpoch());
        assertEquals(straight.best(), resumed.best());
        assertArrayEquals(straightModel.parameters().get(0).value().toFloatArray(),
                resumedModel.parameters().get(0).value().toFloatArray(), "the best epoch's weights, restored");
        assertArrayEquals(straightModel.parameters().get(1).value().toFloatArray(),
                resumedModel.parameters().get(1).value().toFloatArray());
    }

    @Test
    void stateRoundTripsAndABadStateIsRefusedWithoutChange() {
        Linear model = new Linear(3, 1, true, null, 1);
        EarlyStopping stop = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true);
        fit(model, 5, new Scripted("val_loss", 1.0, 0.8, 0.6, 0.65, 0.7), stop);
        Map<String, Tensor> state = stop.stateDict();
        assertEquals(List.of("best", "best_epoch", "wait", "stopped_epoch", "best_state.weight", "best_state.bias"),
                List.copyOf(state.keySet()));
        assertEquals(2.0, state.get("wait").toDoubleArray()[0]);
        assertEquals(-1.0, state.get("stopped_epoch").toDoubleArray()[0]);

        EarlyStopping copy = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true);
        copy.loadStateDict(state);
        assertEquals(stop.stateDict().keySet(), copy.stateDict().keySet());
        for (String k : state.keySet()) {
            assertArrayEquals(state.get(k).toDoubleArray(), copy.stateDict().get(k).toDoubleArray(), k);
        }

        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(state);
        bad.put("wait", StateEntries.scalar(-1));
        assertEquals("EarlyStopping.loadStateDict: 'wait' must be a whole number >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> copy.loadStateDict(bad)).getMessage());
        bad.remove("wait");
        bad.put("patience", StateEntries.scalar(3));
        assertEquals("EarlyStopping.loadStateDict: unexpected [patience] (expected best, best_epoch, wait, "
                + "stopped_epoch and best_state.* entries)",
                assertThrows(IllegalArgumentException.class, () -> copy.loadStateDict(bad)).getMessage());
        assertEquals(2.0, copy.stateDict().get("wait").toDoubleArray()[0], "unchanged after a refusal");
    }

    @Test
    void stopsPatienceEpochsAfterTheBestAndRestoresItsWeights() {
        Linear model = new Linear(3, 1, true, null, 1);
        Scripted script = new Scripted("val_loss", 1.0, 0.8, 0.6, 0.65, 0.7, 0.61, 0.9, 0.1, 0.1, 0.1);
        EarlyStopping stop = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 3, 0, true);
        History h = fit(model, 10, script, stop);
        assertEquals(5, stop.stoppedEpoch(), "best at epoch 2, then 3 epochs without improvement");
        assertEquals(6, h.epochCount());
        assertEquals(2, stop.bestEpoch());
        assertEquals(0.6, stop.best());
        assertArrayEquals(script.weights.get(2), model.parameters().get(0).value().toFloatArray(),
                "the weights of the best epoch, bit for bit");
    }

    @Test
    void minDeltaAndMaxMode() {
        Scripted script = new Scripted("val_accuracy", 0.5, 0.6, 0.65, 0.655, 0.659, 0.7, 0.8);
        EarlyStopping stop = new EarlyStopping("val_accuracy", EarlyStopping.Mode.MAX, 2, 0.01, false);
        Linear model = new Linear(3, 1, true, null, 1);
        fit(model, 7, script, stop);
        assertEquals(4, stop.stoppedEpoch(), "0.655 and 0.659 are within minDelta of 0.65");
        assertEquals(2, stop.bestEpoch());
        assertArrayEquals(script.weights.get(4), model.parameters().get(0).value().toFloatArray(),
                "without restoreBestWeights the last weights stay");
    }

    @Test
    void runsEveryEpochWhileImprovingAndRestoresTheBestAtTheEnd() {
        Linear model = new Linear(3, 1, true, null, 1);
        Scripted script = new Scripted("val_loss", 1.0, 0.5, 0.7, 0.8);
        EarlyStopping stop = new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 5, 0, true);
        History h = fit(model, 4, script, stop);
        assertEquals(4, h.epochCount());
        assertEquals(-1, stop.stoppedEpoch());
        assertArrayEquals(script.weights.get(1), model.parameters().get(0).value().toFloatArray());
        assertFalse(java.util.Arrays.equals(script.weights.get(3), script.weights.get(1)));
    }

    @Test
    void monitorsTheRealValidationLossByDefault() {
        Linear model = new Linear(3, 1, true, null, 1);
        EarlyStopping stop = new EarlyStopping();
        History h = fit(model, 3, stop);
        assertEquals(h.get("val_loss").indexOf(h.get("val_loss").stream().min(Double::compare).get()),
                stop.bestEpoch());
        assertEquals("val_loss", stop.monitor());
    }

    @Test
    void aMissingFigureOrBadArgumentsFailClearly() {
        Linear model = new Linear(3, 1, true, null, 1);
        DataLoader train = DataLoader.builder(TrainerTest.regression(64, 1)).batchSize(16).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer()
                .callbacks(new EarlyStopping()).fit(model, new MseLoss(), TrainerTest.gd(model.parameters(), 0.01),
                        train, null, 3));
        assertEquals("EarlyStopping: the epoch logs have no 'val_loss'; have [loss, lr] (validation figures need a "
                + "validation loader)", e.getMessage());
        assertEquals("EarlyStopping: patience must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 0, 0, true)).getMessage());
        assertEquals("EarlyStopping: minDelta must be a finite value >= 0, got -0.1",
                assertThrows(IllegalArgumentException.class,
                        () -> new EarlyStopping("val_loss", EarlyStopping.Mode.MIN, 2, -0.1, true)).getMessage());
    }
}
