package org.trainer.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
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
import org.trainer.hpo.Direction;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.TrialState;
import org.trainer.hpo.gp.GaussianProcessSampler;

/**
 * How long does the Gaussian-process sampler take to propose one point once a study has
 * {@code observations} COMPLETE trials? The trials are seeded uniform points of Hartmann-6 (six
 * float parameters) with their values; one op is one {@code sample} call: standardizing, fitting
 * the GP hyperparameters (L-BFGS, two starts), and maximizing log EI (1,024 candidates, six local
 * searches). The target is 50 ms or less at 100 observations. Each op uses a new seed, so it
 * does the full work (the sampler keeps no state between calls).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GpSuggestBenchmark {

    @Param({"100"})
    public int observations;

    private final GaussianProcessSampler sampler = new GaussianProcessSampler();
    private SearchSpace space;
    private List<FrozenTrial> trials;
    private long seed;

    @Setup
    public void setUp() {
        space = HpoTestFunctions.hartmann6Space();
        SplittableRandom rng = new SplittableRandom(42);
        trials = new ArrayList<>();
        for (int t = 0; t < observations; t++) {
            Map<String, Object> p = new LinkedHashMap<>();
            double[] x = new double[6];
            for (int i = 0; i < 6; i++) {
                x[i] = rng.nextDouble();
                p.put("x" + (i + 1), x[i]);
            }
            trials.add(new FrozenTrial(t, TrialState.COMPLETE, p, HpoTestFunctions.hartmann6(x), new TreeMap<>(), null));
        }
    }

    @Benchmark
    public Map<String, Object> suggest() {
        return sampler.sample(space, trials, Direction.MINIMIZE, seed++);
    }
}
