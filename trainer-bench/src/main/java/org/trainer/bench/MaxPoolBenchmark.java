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
 * How long does 2 x 2 max pooling take where the CNN of the peer harness pools its first
 * convolution's output: [64, 32, 24, 24] after a ReLU (so half of the values are zeros, as in
 * training), forward only, and forward plus backward with a fixed upstream gradient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MaxPoolBenchmark {
    @Param({"1", "2"})
    public int threads;

    private Tensor x;
    private Tensor input;
    private Tensor upstream;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        x = Tensor.randn(5, 64, 32, 24, 24).relu();
        input = x.detach().requiresGrad(true);
        upstream = Tensor.randn(6, 64, 32, 12, 12);
    }

    @Benchmark
    public Tensor forward() {
        return x.maxPool2d(2, 2, 0);
    }

    @Benchmark
    public Tensor forwardBackward() {
        input.maxPool2d(2, 2, 0).backward(upstream);
        Tensor g = input.grad();
        input.zeroGrad();
        return g;
    }
}
