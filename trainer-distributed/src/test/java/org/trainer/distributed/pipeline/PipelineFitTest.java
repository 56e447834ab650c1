package org.trainer.distributed.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/** fit and predict through a pipeline equal the Trainer's on the unsplit model; dropout's documented behaviour. */
class PipelineFitTest {
    private static final double TOL = 1e-10;

    /** 25 samples in shuffled batches of 8: the last batch (1 sample) is smaller than the micro-batch count. */
    static DataLoader loader() {
        List<Tensor[]> one = Models64.batches(1, 25, new int[] {6}, 4, 900);
        return DataLoader.builder(new TensorDataset(one.get(0)[0], one.get(0)[1])).batchSize(8).shuffle(true).seed(5)
                .build();
    }

    @Test
    void fitAndPredictEqualTheTrainerOnTheUnsplitModel() {
        Sequential reference = Models64.mlp(21);
        History h = new Trainer().fit(reference, new MseLoss(), new SGD(reference.parameters(), 0.2, 0.5, 0),
                loader(), null, 3);
        Tensor probe = Models64.randn(77, 10, 6);
        double[] expectedOut;
        reference.eval();
        try (GradMode off = Tensor.noGrad()) {
            expectedOut = reference.forward(probe).toDoubleArray();
        }
        List<Object[]> ranks = LocalPipeline.run(3, ctx -> {
            Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(21), 2, 6).microBatches(3).build();
            // The middle stage reads no data.
            double[] losses = p.fit(p.stageIndex() == 1 ? null : loader(), new MseLoss(),
                    new SGD(p.stage().parameters(), 0.2, 0.5, 0), 3);
            Tensor out = p.predict(p.isFirst() ? probe : null);
            assertTrue(p.stage().isTraining(), "predict restores training mode");
            return new Object[] {losses, out, new Models64.Run(losses, Models64.values(p.stage()))};
        });
        double[] trainerLosses = h.get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        for (Object[] r : ranks) {
            Models64.assertClose(trainerLosses, (double[]) r[0], TOL, "epoch losses");
        }
        assertArrayEquals((double[]) ranks.get(0)[0], (double[]) ranks.get(2)[0], "every rank returns the same losses");
        Models64.assertSameParameters(new Models64.Run(trainerLosses, Models64.values(reference)),
                ranks.stream().map(r -> (Models64.Run) r[2]).toList(), TOL, "after fit");
        assertNull(ranks.get(0)[1]);
        assertNull(ranks.get(1)[1]);
        Tensor out = (Tensor) ranks.get(2)[1];
        assertArrayEquals(new int[] {10, 4}, out.shape());
        Models64.assertClose(expectedOut, out.toDoubleArray(), 1e-12, "predict");
    }

    @Test
    void fitRefusesALastStageWhoseDataDisagrees() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalPipeline.run(2, Duration.ofSeconds(60), ctx -> {
                    Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(21), 3).microBatches(2).build();
                    DataLoader data = ctx.rank() == 0 ? loader()
                            : DataLoader.builder(new TensorDataset(Models64.randn(1, 16, 6), Models64.randn(2, 16, 4)))
                                    .batchSize(8).build();
                    return p.fit(data, new MseLoss(), new SGD(p.stage().parameters(), 0.1), 1);
                }));
        assertEquals("fit: epoch 0 of the last stage's data ends after 2 batches, stage 0's has more: both must yield"
                + " the same batches", e.getMessage());
    }

    /** A model with a dropout layer on each side of the cut, seeded explicitly. */
    static Sequential withDropout() {
        Sequential m = Models64.mlp(31);
        Sequential d = new Sequential();
        for (int i = 0; i < m.size(); i++) {
            d.add(m.get(i));
            if (i == 2 || i == 5) {
                d.add(new Dropout(0.3, 1000 + i));
            }
        }
        return d;
    }

    @Test
    void dropoutWithOneMicroBatchDrawsTheUnsplitModelsMasks() {
        // Each Dropout draws call c's mask from (its seed, c) over the whole tensor's shape: with M = 1
        // every stage calls its dropouts once per step on the whole mini-batch, as the unsplit model does.
        List<Tensor[]> batches = Models64.batches(10, 10, new int[] {6}, 4, 1200);
        Models64.Run reference = Models64.reference(PipelineFitTest::withDropout,
                PipelineEquivalenceTest.optimizer("sgd"), batches, new MseLoss());
        List<Models64.Run> ranks = PipelineEquivalenceTest.pipelined(PipelineFitTest::withDropout, new int[] {4}, 1,
                PipelineEquivalenceTest.optimizer("sgd"), batches, r -> org.trainer.core.Device.CPU);
        PipelineEquivalenceTest.assertEquivalent(reference, ranks, "dropout, M = 1");
        // With M > 1 each micro-batch draws its own mask (another call count and shape): it still trains,
        // but not like the unsplit model, as the Pipeline's documentation says.
        List<Models64.Run> split = PipelineEquivalenceTest.pipelined(PipelineFitTest::withDropout, new int[] {4}, 2,
                PipelineEquivalenceTest.optimizer("sgd"), batches, r -> org.trainer.core.Device.CPU);
        assertTrue(Math.abs(split.get(0).losses()[0] - reference.losses()[0]) > 1e-6,
                "M = 2 draws other masks: " + split.get(0).losses()[0] + " vs " + reference.losses()[0]);
    }
}
