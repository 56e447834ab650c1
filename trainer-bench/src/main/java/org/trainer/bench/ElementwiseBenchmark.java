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
import org.trainer.core.backend.cpu.Parallel;

/**
 * How fast are the simplest elementwise ops through the Tensor API: {@code a.add(b)},
 * {@code a.relu()} and {@code a.leakyRelu(0.01)} on 1M (2^20) normal floats (random signs),
 * forward only (no operand requires a gradient, so nothing is recorded). Each call allocates its 4 MiB result, as the Tensor API does; at this size the ops are
 * bound by memory bandwidth, so the time per call divided into 8 or 12 MiB moved gives the
 * effective bandwidth.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ElementwiseBenchmark {
    private static final int SIZE = 1 << 20;

    @Param({"1", "2"})
    public int threads;

    private Tensor a;
    private Tensor b;
    private Tensor leaf;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        a = Tensor.randn(1, SIZE);
        b = Tensor.randn(2, SIZE);
        leaf = Tensor.randn(3, SIZE).requiresGrad(true);
    }

    @Benchmark
    public Tensor add() {
        return a.add(b);
    }

    @Benchmark
    public Tensor relu() {
        return a.relu();
    }

    @Benchmark
    public Tensor leakyRelu() {
        return a.leakyRelu(0.01);
    }

    @Benchmark
    public Tensor exp() {
        return a.exp();
    }

    @Benchmark
    public Tensor sigmoid() {
        return a.sigmoid();
    }

    @Benchmark
    public Tensor tanh() {
        return a.tanh();
    }

    @Benchmark
    public Tensor gelu() {
        return a.gelu();
    }

    /** GELU's forward and backward (the gradient of its sum), as a Transformer's feed-forward block runs it. */
    @Benchmark
    public Tensor geluWithBackward() {
        return withBackward(leaf.gelu());
    }

    @Benchmark
    public Tensor sigmoidWithBackward() {
        return withBackward(leaf.sigmoid());
    }

    @Benchmark
    public Tensor tanhWithBackward() {
        return withBackward(leaf.tanh());
    }

    private Tensor withBackward(Tensor y) {
        leaf.zeroGrad();
        y.sum().backward();
        return leaf.grad();
    }
}
