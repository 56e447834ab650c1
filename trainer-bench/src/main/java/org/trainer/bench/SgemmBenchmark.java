package org.trainer.bench;

import java.util.Collection;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.backend.cpu.Sgemm;

/**
 * How fast is {@link Sgemm#gemm} on the CPU, for square products and the shapes an MLP and a small
 * convolution training step use? The score is in GEMMs per second; one GEMM is {@code 2*m*n*k}
 * floating-point operations, so GFLOP/s = score * 2*m*n*k / 1e9. {@link #main} runs the benchmark
 * and prints that conversion for every shape:
 *
 * <pre>java -jar trainer-bench/target/benchmarks.jar SgemmBenchmark           (plain JMH output)
 * java -cp trainer-bench/target/benchmarks.jar org.trainer.bench.SgemmBenchmark [JMH options]
 *                                                                     (adds a GFLOP/s table)</pre>
 *
 * <p>Shapes are written {@code op(A) x op(B)} as {@code m x k x n}, with a {@code T} after the
 * transposed operand: {@code 784Tx64x512} is dW = X^T dY (transA), {@code 64x512x784T} is
 * dX = dY W^T (transB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx2g"})
public class SgemmBenchmark {
    @Param({
        "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024",
        "64x784x512", "784Tx64x512", "64x512x784T",
        "256x784x512", "784Tx256x512", "256x512x784T",
        "32x25x36864", "64x800x4096",
    })
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Shape s;
    private float[] a;
    private float[] b;
    private float[] c;
    private int savedThreads;

    /** One parsed {@code m[T] x k x n[T]} shape. */
    record Shape(boolean transA, boolean transB, int m, int k, int n) {
        static Shape parse(String text) {
            String[] parts = text.split("x");
            if (parts.length != 3) {
                throw new IllegalArgumentException("shape must be m[T]xkxn[T], got '" + text + "'");
            }
            boolean transA = parts[0].endsWith("T");
            boolean transB = parts[2].endsWith("T");
            return new Shape(transA, transB, Integer.parseInt(parts[0].replace("T", "")),
                    Integer.parseInt(parts[1]), Integer.parseInt(parts[2].replace("T", "")));
        }

        double flops() {
            return 2.0 * m * n * k;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        s = Shape.parse(shape);
        SplittableRandom random = new SplittableRandom(1);
        a = randomArray(random, s.m() * s.k());
        b = randomArray(random, s.k() * s.n());
        c = new float[s.m() * s.n()];
        savedThreads = Parallel.threads();
        Parallel.setThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Parallel.setThreads(savedThreads);
    }

    /** One GEMM, {@code C = op(A) op(B)}: 2*m*n*k flops. */
    @Benchmark
    public float[] gemm() {
        Sgemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, b, 0, c, 0, false);
        return c;
    }

    private static float[] randomArray(SplittableRandom random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Runs this benchmark (extra arguments go to JMH) and prints GFLOP/s per shape and thread count. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        OptionsBuilder options = new OptionsBuilder();
        options.include(SgemmBenchmark.class.getSimpleName());
        options.parent(new CommandLineOptions(args));
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.printf("%-16s %7s %10s %10s%n", "shape", "threads", "GFLOP/s", "+-");
        for (RunResult result : results) {
            BenchmarkParams params = result.getParams();
            double flops = Shape.parse(params.getParam("shape")).flops();
            double score = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            System.out.printf("%-16s %7s %10.1f %10.1f%n", params.getParam("shape"), params.getParam("threads"),
                    score * flops / 1e9, Double.isNaN(error) ? 0 : error * flops / 1e9);
        }
    }
}
