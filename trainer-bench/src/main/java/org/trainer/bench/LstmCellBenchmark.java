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
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.RecurrentOptions;

/**
 * How long does the LSTM recurrence take per time step, forward and backward, at batch 32 and
 * hidden size 256 (input size 64, as the character model of the peer harness)? One op is a whole
 * sequence of {@code steps} steps (1: a single cell step; 64: the harness's sequence) with a fixed
 * upstream gradient and zeroed gradients, inside a memory scope; divide by steps for the time per
 * step. {@code path}: FUSED is the layer as it runs (the backend's fused recurrence), COMPOSED the
 * same math one small op at a time, which the layer runs for sequences given lengths (here all
 * equal to T, so nothing is masked): the pair shows what the fused capability pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LstmCellBenchmark {
    /** The two forms of the same recurrence. */
    public enum Path {
        FUSED, COMPOSED
    }

    private static final int BATCH = 32;
    private static final int INPUT = 64;
    private static final int HIDDEN = 256;

    @Param({"1", "64"})
    public int steps;

    @Param({"FUSED", "COMPOSED"})
    public Path path;

    @Param({"2"})
    public int threads;

    private final MemoryScope.Pool pool = new MemoryScope.Pool();
    private LSTM lstm;
    private Tensor x;
    private Tensor upstream;
    private Tensor lengths;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        lstm = new LSTM(INPUT, HIDDEN, RecurrentOptions.defaults(), 42);
        x = Tensor.randn(1, steps, BATCH, INPUT).requiresGrad(true);
        upstream = Tensor.randn(2, steps, BATCH, HIDDEN);
        int[] full = new int[BATCH];
        java.util.Arrays.fill(full, steps);
        lengths = path == Path.COMPOSED ? Tensor.fromArray(full, BATCH) : null;
    }

    @Benchmark
    public void forwardBackward() {
        try (MemoryScope scope = MemoryScope.open(pool)) {
            Tensor out = lstm.forward(x, lengths, null).output();
            for (Parameter p : lstm.parameters()) {
                p.value().zeroGrad();
            }
            x.zeroGrad();
            out.backward(upstream);
        }
    }
}
