package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Linear;

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
        DataLoader train = DataLoader.builder(TrainerTest.regression(64, 1)).batchSize(16).build();
        DataLoader val = DataLoader.builder(TrainerTest.regression(32, 2)).batchSize(32).build();
        return new Trainer().callbacks(callbacks).fit(model, new MseLoss(), TrainerTest.gd(model.parameters(), 0.01),
                train, val, epochs);
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
