package org.trainer.distributed.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.loss.Reduction;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Sequential;
import org.trainer.distributed.Collective;
import org.trainer.distributed.CollectiveException;
import org.trainer.distributed.LocalCollective;
import org.trainer.optim.SGD;

/** Refusals name the argument, the value and what was expected; a failing stage stops the others at once. */
class PipelineArgumentsTest {
    /** Far longer than any test here runs: a stage that waited for it would show as a slow test. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static String buildError(int world, int[] splitPoints) {
        List<Collective> group = LocalCollective.group(world);
        try {
            return assertThrows(IllegalArgumentException.class,
                    () -> Pipeline.builder(group.get(0)).model(Models64.mlp(1), splitPoints).build()).getMessage();
        } finally {
            group.forEach(Collective::close);
        }
    }

    @Test
    void splitPointsMustBeStrictlyIncreasing() {
        assertEquals("Pipeline.Builder: splitPoints must be strictly increasing, got [6, 3] (splitPoints[1] = 3"
                + " <= splitPoints[0] = 6)", buildError(3, new int[] {6, 3}));
        assertEquals("Pipeline.Builder: splitPoints must be strictly increasing, got [3, 3] (splitPoints[1] = 3"
                + " <= splitPoints[0] = 3)", buildError(3, new int[] {3, 3}));
    }

    @Test
    void splitPointsMustLeaveEveryStageAModule() {
        assertEquals("Pipeline.Builder: splitPoints[0] = 0 is out of range: a Sequential of 9 modules is cut at"
                + " indices in [1, 8] (every stage needs at least one module)", buildError(2, new int[] {0}));
        assertEquals("Pipeline.Builder: splitPoints[1] = 9 is out of range: a Sequential of 9 modules is cut at"
                + " indices in [1, 8] (every stage needs at least one module)", buildError(3, new int[] {3, 9}));
    }

    @Test
    void theStageCountMustBeTheWorldSize() {
        assertEquals("Pipeline.Builder: splitPoints [3] make 2 stages, but the collective has 3 ranks (one stage per"
                + " rank: expected 2 split points)", buildError(3, new int[] {3}));
        assertEquals("Pipeline.Builder: splitPoints [3, 6] make 3 stages, but the collective has 2 ranks (one stage"
                + " per rank: expected 1 split points)", buildError(2, new int[] {3, 6}));
    }

    @Test
    void microBatchesMustBePositiveAndTheModelGiven() {
        List<Collective> group = LocalCollective.group(1);
        Pipeline.Builder b = Pipeline.builder(group.get(0));
        assertEquals("Pipeline.Builder: microBatches must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.microBatches(0)).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, b::build).getMessage().contains("before build()"));
        group.get(0).close();
    }

    @Test
    void aStageThatCannotTakeItsInputIsNamedAndTheOthersStopAtOnce() {
        long start = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalPipeline.run(2, TIMEOUT,
                ctx -> {
                    // Stage 0 ends with 16 features; stage 1 was built for 12.
                    Sequential mine = ctx.rank() == 0
                            ? new Sequential(Models64.linear(6, 16, 1), new Activation.Tanh())
                            : new Sequential(Models64.linear(12, 4, 2));
                    Pipeline p = Pipeline.builder(ctx.collective()).stage(mine).microBatches(2).build();
                    return p.step(Models64.randn(3, 10, 6), Models64.randn(4, 10, 4), new MseLoss(),
                            new SGD(p.stage().parameters(), 0.1));
                }));
        assertTrue(e.getMessage().startsWith("Pipeline: stage 1 of 2 (rank 1) cannot take the activation stage 0 sent"
                + " of shape [5, 16] (FLOAT64): "), e.getMessage());
        // Stage 0 waited for a gradient that never came: it failed when stage 1 closed its collective.
        assertEquals(1, e.getSuppressed().length, Arrays.toString(e.getSuppressed()));
        assertTrue(e.getSuppressed()[0] instanceof CollectiveException, e.getSuppressed()[0].toString());
        assertTrue(e.getSuppressed()[0].getMessage().contains("rank 1 left the group"),
                e.getSuppressed()[0].getMessage());
        assertTrue(System.nanoTime() - start < TIMEOUT.toNanos() / 4, "the stages stopped without waiting");
    }

    @Test
    void targetsMustHaveTheFeaturesRows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalPipeline.run(2, TIMEOUT,
                ctx -> {
                    Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(1), 3).microBatches(2).build();
                    return p.step(Models64.randn(3, 10, 6), Models64.randn(4, 9, 4), new MseLoss(),
                            new SGD(p.stage().parameters(), 0.1));
                }));
        assertEquals("step: targets have 9 rows (shape [9, 4]), but stage 0's mini-batch has 10 samples",
                e.getMessage());
    }

    @Test
    void theFirstStageNeedsFeaturesAndTheLastTargetsAndAMeanLoss() {
        IllegalArgumentException noFeatures = assertThrows(IllegalArgumentException.class,
                () -> LocalPipeline.run(2, TIMEOUT, ctx -> {
                    Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(1), 3).build();
                    return p.step(null, Models64.randn(4, 10, 4), new MseLoss(), new SGD(p.stage().parameters(), 0.1));
                }));
        assertEquals("step: features must not be null on stage 0 of 2 (rank 0, modules [0, 3))",
                noFeatures.getMessage());
        IllegalArgumentException noTargets = assertThrows(IllegalArgumentException.class,
                () -> LocalPipeline.run(2, TIMEOUT, ctx -> {
                    Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(1), 3).build();
                    return p.step(Models64.randn(3, 10, 6), null, new MseLoss(), new SGD(p.stage().parameters(), 0.1));
                }));
        assertEquals("step: targets must not be null on stage 1 of 2 (rank 1, modules [3, 9))", noTargets.getMessage());
        IllegalArgumentException perSample = assertThrows(IllegalArgumentException.class,
                () -> LocalPipeline.run(2, TIMEOUT, ctx -> {
                    Pipeline p = Pipeline.builder(ctx.collective()).model(Models64.mlp(1), 3).build();
                    return p.step(Models64.randn(3, 10, 6), Models64.randn(4, 10, 4), new MseLoss(Reduction.NONE),
                            new SGD(p.stage().parameters(), 0.1));
                }));
        assertTrue(perSample.getMessage().startsWith("step: the loss must reduce each micro-batch to one value (a mean),"
                + " got shape [10, 4]"), perSample.getMessage());
    }

    @Test
    void aStageWithoutAPeerIsRefusedByTheCollective() {
        // A rank whose neighbour never joins fails at the collective's timeout, naming the silent rank.
        List<Collective> group = LocalCollective.group(2, Duration.ofMillis(300));
        Pipeline p = Pipeline.builder(group.get(1)).model(Models64.mlp(1), 3).build();
        CollectiveException e = assertThrows(CollectiveException.class,
                () -> p.step(null, Models64.randn(4, 10, 4), new MseLoss(), new SGD(p.stage().parameters(), 0.1)));
        assertTrue(e.getMessage().contains("rank 0 sent nothing within"), e.getMessage());
        group.forEach(Collective::close);
    }

    @Test
    void theMicroBatchesSplitAsEvenlyAsPossibleLargerFirst() {
        MicroBatches ten = MicroBatches.split(10, 4);
        assertEquals("[3, 3, 2, 2] at [0, 3, 6, 8]", Arrays.toString(ten.sizes()) + " at " + Arrays.toString(ten.offsets()));
        assertEquals(0.3, ten.weight(0));
        assertEquals(0.2, ten.weight(3));
        MicroBatches three = MicroBatches.split(3, 8);
        assertEquals("[1, 1, 1] at [0, 1, 2]", Arrays.toString(three.sizes()) + " at "
                + Arrays.toString(three.offsets()));
        assertEquals("[8]", Arrays.toString(MicroBatches.split(8, 1).sizes()));
        assertEquals("Pipeline: a mini-batch needs at least one sample, got 0",
                assertThrows(IllegalArgumentException.class, () -> MicroBatches.split(0, 2)).getMessage());
    }

    @Test
    void aFailureIsReportedFromTheStageThatCausedIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalPipeline.run(3, TIMEOUT, ctx -> {
            if (ctx.rank() == 2) {
                throw new java.io.IOException("disk full on rank 2");
            }
            ctx.collective().barrier();
            return 0;
        }));
        assertEquals("LocalPipeline.run: stage 2 failed: java.io.IOException: disk full on rank 2", e.getMessage());
        assertEquals(2, e.getSuppressed().length, "ranks 0 and 1 failed in the barrier");
        assertEquals(List.of(10, 11, 12), LocalPipeline.run(3, ctx -> 10 + ctx.rank()));
    }

    @Test
    void tensorsOfARankAboveTheHeaderAreRefused() {
        assertEquals(StageLink.HEADER, 5 + StageLink.MAX_RANK);
        List<Collective> group = LocalCollective.group(2);
        Tensor nine = Tensor.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertEquals("Pipeline: stage 0 produced an activation of rank 9 (shape [1, 1, 1, 1, 1, 1, 1, 1, 1]); stages"
                + " exchange tensors of rank <= 8", assertThrows(IllegalArgumentException.class,
                        () -> StageLink.sendActivation(group.get(0), 1, 0, 1, 1, nine, "stage 0")).getMessage());
        group.forEach(Collective::close);
    }
}
