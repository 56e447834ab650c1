package org.trainer.distributed.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.TestDevice;
import org.trainer.core.loss.Loss;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * Pipelined training equals unsplit training: the same losses and, after every step, the same
 * parameters, up to float64 rounding of the micro-batch sums.
 */
class PipelineEquivalenceTest {
    private static final double TOL = 1e-10;
    private static final Loss MSE = new MseLoss();

    static Function<List<Parameter>, Optimizer> optimizer(String name) {
        return switch (name) {
            case "sgd" -> ps -> new SGD(ps, 0.1, 0.9, 0.01);
            case "adam" -> ps -> new Adam(ps, 0.01);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static int[] points(String splits) {
        String[] parts = splits.split(" ");
        int[] p = new int[parts.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Integer.parseInt(parts[i]);
        }
        return p;
    }

    /** Trains through a pipeline of splitPoints.length + 1 stages and returns every rank's run. */
    static List<Models64.Run> pipelined(Supplier<Sequential> model, int[] splitPoints, int microBatches,
                                        Function<List<Parameter>, Optimizer> optimizer, List<Tensor[]> batches,
                                        Function<Integer, Device> device) {
        return LocalPipeline.run(splitPoints.length + 1, ctx -> {
            Pipeline p = Pipeline.builder(ctx.collective()).model(model.get(), splitPoints)
                    .microBatches(microBatches).device(device.apply(ctx.rank())).build();
            Optimizer opt = optimizer.apply(p.stage().parameters());
            double[] losses = new double[batches.size()];
            for (int t = 0; t < batches.size(); t++) {
                // Features only where stage 0 reads them, targets only where the last stage does.
                losses[t] = p.step(p.isFirst() ? batches.get(t)[0] : null, p.isLast() ? batches.get(t)[1] : null,
                        p.isLast() ? MSE : null, opt);
            }
            return new Models64.Run(losses, Models64.values(p.stage()));
        });
    }

    static void assertEquivalent(Models64.Run reference, List<Models64.Run> ranks, String what) {
        for (Models64.Run r : ranks) {
            // The last stage broadcasts its loss: every rank returns the same bits.
            assertArrayEquals(ranks.get(ranks.size() - 1).losses(), r.losses(), what + ": losses differ between ranks");
        }
        Models64.assertClose(reference.losses(), ranks.get(0).losses(), TOL, what + " losses");
        Models64.assertSameParameters(reference, ranks, TOL, what);
    }

    @ParameterizedTest(name = "mlp split {0}, M = {1}, {2}")
    @CsvSource({
        "3, 1, sgd", "3, 2, sgd", "3, 4, sgd", "3, 1, adam", "3, 2, adam", "3, 4, adam",
        "3 6, 1, sgd", "3 6, 2, sgd", "3 6, 4, sgd", "3 6, 1, adam", "3 6, 2, adam", "3 6, 4, adam",
        "1 5, 4, sgd"})
    void mlpMatchesTheUnsplitModel(String splits, int microBatches, String opt) {
        List<Tensor[]> batches = Models64.batches(20, 10, new int[] {6}, 4, 100);
        Models64.Run reference = Models64.reference(() -> Models64.mlp(7), optimizer(opt), batches, MSE);
        List<Models64.Run> ranks = pipelined(() -> Models64.mlp(7), points(splits), microBatches, optimizer(opt),
                batches, r -> Device.CPU);
        assertEquivalent(reference, ranks, "mlp " + splits + " M=" + microBatches + " " + opt);
        assertTrue(reference.losses()[19] < reference.losses()[0], "the reference learns: " + reference.losses()[0]
                + " -> " + reference.losses()[19]);
    }

    @ParameterizedTest(name = "cnn, M = {0}, {1}")
    @CsvSource({"1, sgd", "3, adam"})
    void cnnSplitAtTheDenseBoundaryMatchesTheUnsplitModel(int microBatches, String opt) {
        List<Tensor[]> batches = Models64.batches(8, 7, new int[] {1, 6, 6}, 4, 300);
        Models64.Run reference = Models64.reference(() -> Models64.cnn(11), optimizer(opt), batches, MSE);
        // Child 4 is Flatten: stage 0 sends [n, 3, 2, 2] activations.
        List<Models64.Run> ranks = pipelined(() -> Models64.cnn(11), new int[] {4}, microBatches, optimizer(opt),
                batches, r -> Device.CPU);
        assertEquivalent(reference, ranks, "cnn M=" + microBatches + " " + opt);
    }

    @Test
    void aBatchSmallerThanTheMicroBatchCountRunsOneSampleEach() {
        List<Tensor[]> batches = Models64.batches(5, 3, new int[] {6}, 4, 500);
        Models64.Run reference = Models64.reference(() -> Models64.mlp(3), optimizer("sgd"), batches, MSE);
        List<Models64.Run> ranks = pipelined(() -> Models64.mlp(3), new int[] {3, 6}, 8, optimizer("sgd"), batches,
                r -> Device.CPU);
        assertEquivalent(reference, ranks, "3 samples, M=8");
    }

    @Test
    void aStageOnAnotherDeviceGivesTheSameResults() {
        List<Tensor[]> batches = Models64.batches(10, 10, new int[] {6}, 4, 700);
        Models64.Run reference = Models64.reference(() -> Models64.mlp(5), optimizer("adam"), batches, MSE);
        long uploads = TestDevice.UPLOADS.get();
        List<Models64.Run> ranks = LocalPipeline.run(2, ctx -> {
            Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(5), 3).microBatches(3)
                    .device(ctx.rank() == 1 ? TestDevice.DEVICE : Device.CPU).build();
            Optimizer opt = optimizer("adam").apply(p.stage().parameters());
            double[] losses = new double[batches.size()];
            for (int t = 0; t < batches.size(); t++) {
                // Both ranks pass CPU tensors: the pipeline moves them to its stage's device.
                losses[t] = p.step(batches.get(t)[0], batches.get(t)[1], MSE, opt);
            }
            Device expected = ctx.rank() == 1 ? TestDevice.DEVICE : Device.CPU;
            assertEquals(expected, p.device());
            for (Parameter q : p.stage().parameters()) {
                assertEquals(expected, q.value().device(), "a parameter of stage " + ctx.rank());
            }
            return new Models64.Run(losses, Models64.values(p.stage()));
        });
        assertEquivalent(reference, ranks, "stage 1 on the test device");
        assertTrue(TestDevice.UPLOADS.get() - uploads >= 10 * 3 * 2,
                "activations and targets were uploaded to the test device: " + (TestDevice.UPLOADS.get() - uploads));
    }
    @Test
    void ranksThatBuildOnlyTheirOwnModulesTrainLikeTheWholeModel() {
        List<Tensor[]> batches = Models64.batches(10, 10, new int[] {6}, 4, 1500);
        Models64.Run reference = Models64.reference(() -> Models64.mlp(9), optimizer("sgd"), batches, MSE);
        int[] cut = {0, 3, 6, 9};
        List<Models64.Run> ranks = LocalPipeline.run(3, ctx -> {
            // Each rank keeps only its slice; as a separate process would, it builds the model and drops the rest.
            Sequential whole = Models64.mlp(9);
            StageModule mine = new StageModule(whole, cut[ctx.rank()], cut[ctx.rank() + 1]);
            Pipeline p = Pipeline.builder(ctx.collective()).stage(mine).microBatches(2).build();
            Optimizer opt = optimizer("sgd").apply(p.stage().parameters());
            double[] losses = new double[batches.size()];
            for (int t = 0; t < batches.size(); t++) {
                losses[t] = p.step(batches.get(t)[0], batches.get(t)[1], MSE, opt);
            }
            return new Models64.Run(losses, Models64.values(p.stage()));
        });
        assertEquivalent(reference, ranks, "own modules");
    }

    @Test
    void oneStageIsGradientAccumulationOverMicroBatches() {
        List<Tensor[]> batches = Models64.batches(10, 10, new int[] {6}, 4, 1700);
        Models64.Run reference = Models64.reference(() -> Models64.mlp(4), optimizer("adam"), batches, MSE);
        List<Models64.Run> ranks = pipelined(() -> Models64.mlp(4), new int[0], 4, optimizer("adam"), batches,
                r -> Device.CPU);
        assertEquivalent(reference, ranks, "one stage, M=4");
    }

    @Test
    void float32ActivationsTravelAsFloat32() {
        // The library's default dtype: layers with their own float32 biases, compared at float32's precision.
        Supplier<Sequential> model = () -> new Sequential(new Linear(6, 16, true, null, 41), new Activation.Tanh(),
                new Linear(16, 4, true, null, 43));
        List<Tensor[]> batches = Models64.batches(5, 10, new int[] {6}, 4, 1900).stream()
                .map(b -> new Tensor[] {b[0].to(DType.FLOAT32), b[1].to(DType.FLOAT32)}).toList();
        Models64.Run reference = Models64.reference(model, optimizer("sgd"), batches, MSE);
        List<Models64.Run> ranks = pipelined(model, new int[] {2}, 3, optimizer("sgd"), batches, r -> Device.CPU);
        for (Models64.Run r : ranks) {
            for (String k : r.parameters().keySet()) {
                assertEquals(DType.FLOAT32, model.get().namedParameters().get(k).value().dtype(), k);
            }
        }
        Models64.assertClose(reference.losses(), ranks.get(1).losses(), 1e-5, "float32 losses");
        Models64.assertSameParameters(reference, ranks, 1e-4, "float32");
    }
}
