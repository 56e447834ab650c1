package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Checkpointing;

/**
 * Checkpoints with this module's stateful pieces: SGD with Nesterov momentum and a
 * {@link ReduceLrOnPlateau} that lowers the rate several times. A run that fails (mid-epoch and at
 * an epoch's end) and is started again from fresh objects ends bitwise as one that never stopped,
 * the plateau's best value and counters included; its state round-trips and refuses a bad one.
 */
class CheckpointedTrainingTest {
    private static final TensorDataset TRAIN;

    static {
        TensorDataset all = Digits.load();
        TRAIN = all.subset(Arrays.copyOf(Shuffle.permutation(all.size(), 1, 0), 200));
    }

    record Outcome(float[] weights, History history, double best, int badEpochs, long steps) {
    }

    static Outcome fit(Checkpointing c, long crashAt) {
        Seeds.set(5);
        Sequential model = new Sequential(new Linear(64, 32), new Activation.ReLU(), new Dropout(0.25),
                new Linear(32, 10));
        SGD sgd = new SGD(model.parameters(), SGD.options(0.2).withWeightDecay(1e-4).withMomentum(0.9).withNesterov(true));
        // A threshold so large that almost no epoch counts as better: the rate halves again and again.
        ReduceLrOnPlateau plateau = ReduceLrOnPlateau.builder(sgd).monitor("loss").patience(1).factor(0.5)
                .threshold(0.4, ReduceLrOnPlateau.ThresholdMode.REL).build();
        Callback crash = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                if (ctx.iteration() == crashAt) {
                    throw new IllegalStateException("crash");
                }
            }
        };
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(plateau, crash).checkpoints(c);
        DataLoader train = DataLoader.builder(TRAIN).batchSize(50).shuffle(true).seed(3).build();
        History h = trainer.fit(model, new CrossEntropyLoss(), sgd, train, null, 8);
        float[] w = new float[0];
        for (var p : model.parameters()) {
            float[] v = p.value().toFloatArray();
            float[] x = Arrays.copyOf(w, w.length + v.length);
            System.arraycopy(v, 0, x, w.length, v.length);
            w = x;
        }
        return new Outcome(w, h, plateau.best(), plateau.badEpochs(), plateau.steps());
    }

    @Test
    void sgdMomentumAndReduceOnPlateauResumeBitwise(@TempDir Path dir) {
        Outcome straight = fit(Checkpointing.builder(dir.resolve("straight")).everySteps(3).build(), -1);
        List<Double> lr = straight.history().get("lr");
        assertTrue(lr.get(lr.size() - 1) < lr.get(0) / 2, "the plateau lowered the rate: " + lr);
        for (long[] crashes : new long[][] {{6}, {13, 22}, {8, 16, 24}}) {
            Checkpointing c = Checkpointing.builder(dir.resolve("run" + Arrays.toString(crashes))).everySteps(3).build();
            for (long at : crashes) {
                assertThrows(IllegalStateException.class, () -> fit(c, at));
            }
            Outcome resumed = fit(c, -1);
            String what = "crashes at " + Arrays.toString(crashes);
            assertArrayEquals(straight.weights(), resumed.weights(), what);
            assertEquals(straight.history().all(), resumed.history().all(), what);
            assertEquals(straight.best(), resumed.best(), 0.0, what);
            assertEquals(straight.badEpochs(), resumed.badEpochs(), what);
            assertEquals(straight.steps(), resumed.steps(), what);
        }
    }

    @Test
    void plateauStateRoundTripsAndRefusesABadOne() {
        SGD sgd = new SGD(List.of(new org.trainer.core.nn.Parameter(Tensor.zeros(2))), 0.1);
        ReduceLrOnPlateau a = ReduceLrOnPlateau.builder(sgd).patience(1).cooldown(2).build();
        for (double v : new double[] {3, 2, 2.5, 2.6, 2.7, 1}) {
            a.step(v);
        }
        ReduceLrOnPlateau b = ReduceLrOnPlateau.builder(sgd).patience(1).cooldown(2).build();
        b.loadStateDict(a.stateDict());
        assertEquals(a.best(), b.best(), 0.0);
        assertEquals(a.badEpochs(), b.badEpochs());
        assertEquals(a.inCooldown(), b.inCooldown());
        assertEquals(a.steps(), b.steps());
        var e = assertThrows(IllegalArgumentException.class,
                () -> b.loadStateDict(Map.of("best", Tensor.full(DType.FLOAT64, 1))));
        assertTrue(e.getMessage().startsWith("ReduceLrOnPlateau.loadStateDict: missing [bad_epochs, cooldown_counter, "
                + "steps]"), e.getMessage());
    }
}
