package org.trainer.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;

/**
 * What does the loss of a 10-class classifier cost per batch of 256: cross-entropy written as
 * {@code -(logSoftmax(logits, 1) * oneHot(labels)).sum() / 256}, forward and backward into logits
 * [256, 10], then zeroing the gradient. The tensors are tiny, so this measures per-op overhead
 * (allocation, graph recording, dispatch) more than arithmetic; the two thread counts show whether
 * the worker pool costs anything on ops too small to split.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class SoftmaxCrossEntropyBenchmark {
    private static final int BATCH = 256;
    private static final int CLASSES = 10;

    @Param({"1", "2"})
    public int threads;

    private Tensor logits;
    private Tensor oneHot;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        logits = Tensor.randn(7, BATCH, CLASSES).requiresGrad(true);
        oneHot = Tensor.fromArray(oneHotLabels(new SplittableRandom(7)), BATCH, CLASSES);
    }

    /** Row i has a 1 at a random label column (the seeded generator makes it the same every run). */
    private static float[] oneHotLabels(SplittableRandom random) {
        float[] hot = new float[BATCH * CLASSES];
        for (int i = 0; i < BATCH; i++) {
            hot[i * CLASSES + random.nextInt(CLASSES)] = 1;
        }
        return hot;
    }

    @Benchmark
    public Tensor forwardBackward() {
        Tensor loss = logits.logSoftmax(1).mul(oneHot).sum().neg().div(BATCH);
        loss.backward();
        logits.zeroGrad();
        return loss;
    }
}
