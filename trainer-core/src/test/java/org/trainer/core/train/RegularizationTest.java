package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.GradientCheck;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.loss.Penalty;
import org.trainer.core.loss.RegularizedLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.BatchNorm1d;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;

class RegularizationTest {

    @Test
    void penaltyGradientsMatchFiniteDifferences() {
        // Elements kept away from 0, where |w| has no derivative.
        double[] v = {0.7, -1.3, 0.25, -0.4, 2.0, -0.9};
        Penalty p = Penalty.l1l2(0.3, 0.7, List.of(new Parameter(Tensor.ones(1))));
        GradientCheck.assertMatches("Penalty.l1l2", x -> p.of(x[0]),
                new Tensor[] {Tensor.fromArray(v, 2, 3)}, 1e-6, 1e-6);
        GradientCheck.assertMatches("Penalty.l2", x -> Penalty.l2(0.5, p.parameters()).of(x[0]),
                new Tensor[] {Tensor.fromArray(v, 6)}, 1e-6, 1e-6);
    }

    @Test
    void aRegularizedLossAddsTheTermAndItsGradient() {
        Linear model = new Linear(3, 2, true, null, 1);
        List<Parameter> ws = Penalty.weights(model);
        assertEquals(List.of(model.weight()), ws, "kernels only, not biases");
        Tensor x = Tensor.randn(2, 4, 3);
        Tensor y = Tensor.randn(3, 4, 2);
        double l1 = 0.01;
        double l2 = 0.05;
        RegularizedLoss loss = new RegularizedLoss(new MseLoss(), Penalty.l1l2(l1, l2, ws));

        float[] w = model.weight().value().toFloatArray();
        double expectedPenalty = 0;
        for (float e : w) {
            expectedPenalty += l1 * Math.abs(e) + l2 * e * e;
        }
        double base = new MseLoss().compute(model.forward(x), y).item();
        assertEquals(base + expectedPenalty, loss.compute(model.forward(x), y).item(), 1e-6);

        model.zeroGrad();
        new MseLoss().compute(model.forward(x), y).backward();
        float[] baseGrad = model.weight().grad().toFloatArray();
        float[] baseBiasGrad = model.bias().grad().toFloatArray();
        model.zeroGrad();
        loss.compute(model.forward(x), y).backward();
        float[] g = model.weight().grad().toFloatArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(baseGrad[i] + l1 * Math.signum(w[i]) + 2 * l2 * w[i], g[i], 1e-6);
        }
        assertArrayEquals(baseBiasGrad, model.bias().grad().toFloatArray(), 1e-7f);

        Sequential cnn = new Sequential(new Conv2d(1, 2, 3), new BatchNorm1d(2), new Linear(2, 2));
        assertEquals(2, Penalty.weights(cnn).size(), "the conv and linear kernels, not the batch-norm scale");
        assertEquals("RegularizedLoss: the base loss gave shape [4, 2], expected a scalar (reduction MEAN or SUM)",
                assertThrows(IllegalArgumentException.class, () -> new RegularizedLoss(
                        new MseLoss().withReduction(org.trainer.core.loss.Reduction.NONE), Penalty.l2(0.1, ws))
                        .compute(model.forward(x), y)).getMessage());
    }

    @Test
    void maxNormRescalesOnlyTheSlicesAboveTheBound() {
        Parameter w = new Parameter(Tensor.fromArray(new float[] {3, 4, 0.3f, 0.4f, 0, 0}, 3, 2));
        MaxNormConstraint.apply(w, 1.0);
        float[] v = w.value().toFloatArray();
        assertEquals(0.6, v[0], 1e-6);
        assertEquals(0.8, v[1], 1e-6);
        assertArrayEquals(new float[] {0.3f, 0.4f, 0, 0}, java.util.Arrays.copyOfRange(v, 2, 6), "within the bound");
        Parameter conv = new Parameter(Tensor.fromArray(new float[] {2, 0, 0, 0, 0.1f, 0.1f, 0.1f, 0.1f}, 2, 1, 2, 2));
        MaxNormConstraint.apply(conv, 0.5);
        assertArrayEquals(new float[] {0.5f, 0, 0, 0, 0.1f, 0.1f, 0.1f, 0.1f}, conv.value().toFloatArray(), 1e-6f);

        // Inside fit, after every step, however large the rate.
        Sequential model = new Sequential(new Linear(3, 16, true, null, 1), new Activation.ReLU(),
                new Linear(16, 1, true, null, 2));
        DataLoader train = DataLoader.builder(TrainerTest.regression(64, 1)).batchSize(16).build();
        List<Parameter> ws = Penalty.weights(model);
        new Trainer().callbacks(new MaxNormConstraint(0.5, ws))
                .fit(model, new MseLoss(), TrainerTest.gd(model.parameters(), 0.2), train, null, 3);
        for (Parameter p : ws) {
            Tensor rows = p.value().reshape(p.value().size(0), -1);
            Tensor norms = rows.mul(rows).sum(1, false).sqrt();
            assertTrue(norms.max().item() <= 0.5 * (1 + 1e-6), "max row norm " + norms.max().item());
        }
        assertEquals("MaxNormConstraint: maxNorm must be a finite value > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new MaxNormConstraint(0, ws)).getMessage());
    }

    /**
     * Dropout and batch norm inside fit: validation runs in evaluation mode (its figures equal a
     * separate evaluate() at that epoch's weights, it draws no dropout mask and moves no running
     * statistic) and the next epoch trains in training mode again.
     */
    @Test
    void validationInsideFitIsInEvalModeAndTrainingModeComesBack() {
        Dropout dropout = new Dropout(0.5, 4);
        BatchNorm1d bn = new BatchNorm1d(16);
        Sequential model = new Sequential(new Linear(3, 16, true, null, 1), bn, new Activation.ReLU(), dropout,
                new Linear(16, 2, true, null, 2));
        Tensor x = Tensor.randn(5, 96, 3);
        float[] xs = x.toFloatArray();
        int[] labels = new int[96];
        for (int i = 0; i < 96; i++) {
            labels[i] = xs[3 * i] + xs[3 * i + 1] > 0 ? 1 : 0;
        }
        TensorDataset all = new TensorDataset(x, Tensor.fromArray(labels, 96));
        int[] trainIdx = java.util.stream.IntStream.range(0, 64).toArray();
        int[] valIdx = java.util.stream.IntStream.range(64, 96).toArray();
        DataLoader train = DataLoader.builder(all.subset(trainIdx)).batchSize(16).shuffle(true).seed(1).build();
        DataLoader val = DataLoader.builder(all.subset(valIdx)).batchSize(8).build();
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        List<Boolean> modeAtBatch = new ArrayList<>();
        List<Map<String, Double>> separate = new ArrayList<>();
        long[] callsAfterTraining = new long[1];
        float[][] meanAfterTraining = new float[1][];
        Callback probe = new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, int batch) {
                modeAtBatch.add(ctx.model().isTraining());
            }

            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                callsAfterTraining[0] = dropout.calls();
                meanAfterTraining[0] = bn.runningMean().toFloatArray();
            }

            @Override
            public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
                assertEquals(callsAfterTraining[0], dropout.calls(), "validation drew no dropout mask");
                assertArrayEquals(meanAfterTraining[0], bn.runningMean().toFloatArray(),
                        "validation moved no running statistic");
                separate.add(trainer.evaluate(ctx.model(), new CrossEntropyLoss(), val));
            }
        };
        History h = trainer.callbacks(probe).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.1, 0.9), train, val, 4);
        assertEquals(16, modeAtBatch.size());
        assertFalse(modeAtBatch.contains(false), "every epoch trains in training mode");
        assertTrue(model.isTraining());
        for (int e = 0; e < 4; e++) {
            assertEquals(separate.get(e).get("loss"), h.get("val_loss").get(e), "epoch " + e);
            assertEquals(separate.get(e).get("accuracy"), h.get("val_accuracy").get(e), "epoch " + e);
        }
        // In training mode the same weights give other figures (dropout, batch statistics): the mode matters.
        Map<String, Double> inTrainMode = new java.util.LinkedHashMap<>();
        try (var off = Tensor.noGrad()) {
            model.train();
            Tensor out = model.forward(all.subset(valIdx).features());
            inTrainMode.put("loss", new CrossEntropyLoss().compute(out, all.subset(valIdx).targets()).item());
        }
        assertTrue(Math.abs(inTrainMode.get("loss") - h.last("val_loss")) > 1e-4, inTrainMode + " vs " + h);
    }
}
