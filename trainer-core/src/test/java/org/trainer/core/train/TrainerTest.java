package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Fused;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.metrics.MeanAbsoluteError;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;

class TrainerTest {

    /** Plain gradient descent, enough to drive the loop without trainer-optim. */
    static Optimizer gd(List<Parameter> ps, double lr) {
        List<ParameterGroup> groups = List.of(new ParameterGroup(ps, lr, 0));
        return new Optimizer() {
            @Override
            public void step() {
                for (ParameterGroup g : groups) {
                    for (Parameter p : g.parameters()) {
                        if (p.grad() != null) {
                            p.value().backend().capability(Fused.Sgd.class).orElseThrow().sgdStep(p.value().storage(),
                                    p.grad().storage(), null, g.learningRate(), 0, 0, 0, false, false);
                        }
                    }
                }
            }

            @Override
            public List<ParameterGroup> groups() {
                return groups;
            }

            @Override
            public Map<String, Tensor> stateDict() {
                return Map.of();
            }

            @Override
            public void loadStateDict(Map<String, Tensor> state) {
                if (!state.isEmpty()) {
                    throw new IllegalArgumentException("gradient descent has no state, got " + state.keySet());
                }
            }
        };
    }

    static TensorDataset regression(int n, long seed) {
        Tensor x = Tensor.randn(seed, n, 3);
        Tensor y = x.matmul(Tensor.fromArray(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
        return new TensorDataset(x, y);
    }

    @Test
    void iterationArithmeticAndHistory() {
        Linear model = new Linear(3, 1, true, null, 1);
        DataLoader train = DataLoader.builder(regression(100, 1)).batchSize(32).shuffle(true).seed(3).build();
        DataLoader val = DataLoader.builder(regression(40, 2)).batchSize(40).build();
        History h = new Trainer().metrics(MeanAbsoluteError::new).recordStepLosses(true)
                .fit(model, new MseLoss(), gd(model.parameters(), 0.1), train, val, 30);
        assertEquals(4, train.batchesPerEpoch(), "ceil(100 / 32)");
        assertEquals(30 * 4, h.stepLosses().size(), "epochs x iterations per epoch");
        assertEquals(30, h.epochCount());
        assertEquals(List.of("loss", "mae", "val_loss", "val_mae", "lr"), List.copyOf(h.all().keySet()));
        assertTrue(h.last("val_loss") < 1e-3 * h.get("val_loss").get(0), h.toString());
        DataLoader dropLast = DataLoader.builder(regression(100, 1)).batchSize(32).dropLast(true).build();
        assertEquals(3, dropLast.batchesPerEpoch(), "floor(100 / 32) with drop-last");
    }

    @Test
    void forwardHooksOnTheModelItselfRunInFitEvaluateAndPredict() {
        Linear model = new Linear(3, 1, true, null, 1);
        List<Integer> rows = new ArrayList<>();
        model.addForwardHook((m, out) -> rows.add(out.shape()[0]));
        DataLoader train = DataLoader.builder(regression(100, 1)).batchSize(32).build();
        DataLoader val = DataLoader.builder(regression(40, 2)).batchSize(40).build();
        Trainer trainer = new Trainer();
        trainer.fit(model, new MseLoss(), gd(model.parameters(), 0.1), train, val, 1);
        assertEquals(List.of(32, 32, 32, 4, 40), rows, "4 training batches, then validation");
        trainer.evaluate(model, new MseLoss(), val);
        Trainer.predict(model, val);
        assertEquals(7, rows.size(), "evaluate and predict run the hooks too");
    }

    @Test
    void callbacksSeeEveryStageAndCanStop() {
        Linear model = new Linear(3, 1, true, null, 1);
        DataLoader train = DataLoader.builder(regression(64, 1)).batchSize(16).build();
        List<String> events = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onTrainBegin(TrainingContext ctx) {
                events.add("train");
            }

            @Override
            public void onEpochBegin(TrainingContext ctx, int epoch) {
                events.add("epoch" + epoch);
            }

            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                events.add("b" + batch);
                if (ctx.iteration() == 6) {
                    ctx.requestStop();
                }
            }

            @Override
            public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
                events.add("end" + epoch);
            }

            @Override
            public void onTrainEnd(TrainingContext ctx) {
                events.add("done");
            }
        };
        History h = new Trainer().callbacks(recorder).fit(model, new MseLoss(), gd(model.parameters(), 0.01), train,
                null, 10);
        assertEquals(List.of("train", "epoch0", "b0", "b1", "b2", "b3", "end0", "epoch1", "b0", "b1", "end1", "done"),
                events);
        assertEquals(2, h.epochCount());
    }

    @Test
    void schedulesSetTheRatePerEpochOrPerIteration() {
        Linear model = new Linear(3, 1, true, null, 1);
        DataLoader train = DataLoader.builder(regression(20, 1)).batchSize(10).build();
        Optimizer opt = gd(model.parameters(), 0.1);
        History h = new Trainer().schedule((base, t) -> base * Math.pow(0.5, t))
                .fit(model, new MseLoss(), opt, train, null, 3);
        assertEquals(List.of(0.1, 0.05, 0.025), h.get("lr"));
        List<Double> seen = new ArrayList<>();
        LearningRateSchedule perStep = new LearningRateSchedule() {
            @Override
            public double learningRate(double base, long t) {
                seen.add((double) t);
                return base / (1 + t);
            }

            @Override
            public boolean perIteration() {
                return true;
            }
        };
        new Trainer().schedule(perStep).fit(model, new MseLoss(), gd(model.parameters(), 0.1), train, null, 2);
        assertEquals(List.of(0.0, 1.0, 2.0, 3.0), seen);
    }

    @Test
    void evaluationIsDeterministicInEvalModeAndRestoresTheMode() {
        Sequential model = new Sequential(new Linear(3, 8, true, null, 1), new Dropout(0.5, 2), new Linear(8, 2, true,
                null, 3));
        Tensor x = Tensor.randn(4, 50, 3);
        Tensor y = Tensor.fromArray(new int[50], 50);
        DataLoader data = DataLoader.builder(new TensorDataset(x, y)).batchSize(16).build();
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        Map<String, Double> a = trainer.evaluate(model, new CrossEntropyLoss(), data);
        Map<String, Double> b = trainer.evaluate(model, new CrossEntropyLoss(), data);
        assertEquals(a, b);
        assertTrue(model.isTraining());
        Tensor out = Trainer.predict(model, data);
        assertArrayEquals(new int[] {50, 2}, out.shape());
        model.eval();
        assertArrayEquals(model.forward(x).toFloatArray(), out.toFloatArray(), 1e-6f);
    }

    @Test
    void aFixedSeedGivesBitwiseIdenticalWeights() {
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            Sequential model = new Sequential(new Linear(3, 8, true, null, 1), new Dropout(0.2, 2),
                    new Linear(8, 1, true, null, 3));
            DataLoader train = DataLoader.builder(regression(64, 1)).batchSize(8).shuffle(true).seed(9).prefetch(2)
                    .build();
            new Trainer().fit(model, new MseLoss(), gd(model.parameters(), 0.05), train, null, 3);
            runs[r] = model.parameters().get(0).value().toFloatArray();
        }
        assertArrayEquals(runs[0], runs[1]);
    }
}
