package org.trainer.bench;

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
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.nn.MultiheadAttention;
import org.trainer.core.nn.Parameter;

/**
 * How long does multi-head self-attention take, forward and backward, at d_model 128 with 4 heads,
 * sequence length 64 and batch 32 (the attention block of the harness's Transformer encoder)? One
 * op: {@link MultiheadAttention#forward(Tensor)} of x [32, 64, 128] (which needs a gradient too),
 * backward with a fixed upstream gradient, gradients zeroed, inside a memory scope; no dropout.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AttentionBenchmark {
    private static final int BATCH = 32;
    private static final int LENGTH = 64;
    private static final int D_MODEL = 128;
    private static final int HEADS = 4;

    @Param({"1", "2"})
    public int threads;

    private final MemoryScope.Pool pool = new MemoryScope.Pool();
    private MultiheadAttention attention;
    private Tensor x;
    private Tensor upstream;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        attention = new MultiheadAttention(D_MODEL, HEADS, 0, true, 42);
        x = Tensor.randn(1, BATCH, LENGTH, D_MODEL).requiresGrad(true);
        upstream = Tensor.randn(2, BATCH, LENGTH, D_MODEL);
    }

    @Benchmark
    public void forwardBackward() {
        try (MemoryScope scope = MemoryScope.open(pool)) {
            Tensor out = attention.forward(x);
            for (Parameter p : attention.parameters()) {
                p.value().zeroGrad();
            }
            x.zeroGrad();
            out.backward(upstream);
        }
    }
}
