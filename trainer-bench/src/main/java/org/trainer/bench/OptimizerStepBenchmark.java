package org.trainer.bench;

import java.util.List;
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
import org.trainer.core.nn.Parameter;
import org.trainer.optim.Adam;
import org.trainer.optim.AdamW;
import org.trainer.optim.SGD;

/**
 * How close does one optimizer step come to the memory bandwidth it must use? One step over a
 * single float32 parameter of 10M (10^7) elements with a gradient, against a plain copy of 10M
 * floats measured in the same run. At this size (40 MB per array) everything streams from memory,
 * so the bytes the update must touch, divided by the time, is its effective bandwidth:
 * <pre>
 *   adam, adamW   read w, g, m, v; write w, m, v      28 bytes per parameter   280 MB per op
 *   sgdMomentum   read w, g, buf; write w, buf        20 bytes per parameter   200 MB per op
 *   copy          read src; write dst                  8 bytes per element      80 MB per op
 * </pre>
 * GB/s = MB per op / ms per op / 1000. The target is an Adam step at 0.6x or more of the copy's
 * GB/s on two threads, which a one-pass fused update reaches and an op-by-op one (about fifteen
 * passes) cannot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class OptimizerStepBenchmark {
    private static final int SIZE = 10_000_000;

    @Param({"1", "2"})
    public int threads;

    private Adam adam;
    private AdamW adamW;
    private SGD sgd;
    private float[] src;
    private float[] dst;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Parameter w = new Parameter(Tensor.randn(1, SIZE).mul(0.1));
        // A gradient of N(0, 1) values; each optimizer keeps its own state over the same weights.
        w.value().mul(Tensor.randn(2, SIZE)).sum().backward();
        // Small rates keep the weights in the normal float range however many steps JMH runs.
        adam = new Adam(List.of(w), 1e-6);
        adamW = new AdamW(List.of(w), 1e-6);
        sgd = new SGD(List.of(w), 1e-6, 0.9, 0);
        src = Tensor.randn(3, SIZE).toFloatArray();
        dst = new float[SIZE];
    }

    @Benchmark
    public void adam() {
        adam.step();
    }

    @Benchmark
    public void adamW() {
        adamW.step();
    }

    @Benchmark
    public void sgdMomentum() {
        sgd.step();
    }

    /** The reference: src to dst, split over the same threads as the updates. */
    @Benchmark
    public float[] copy() {
        Parallel.forRange(SIZE, 1 << 15, (k0, k1) -> System.arraycopy(src, k0, dst, k0, k1 - k0));
        return dst;
    }
}
