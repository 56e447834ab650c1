package org.trainer.distributed.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.trainer.distributed.Collective;
import org.trainer.distributed.CollectiveException;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedFunction;
import org.trainer.distributed.LocalCollective;

/**
 * Runs the stages of a pipeline on threads of this JVM, as a machine with several GPUs does: one
 * call makes a {@link LocalCollective} group of {@code stages} ranks, runs {@code stage} on thread
 * s with rank s (its {@link DistributedContext}), waits for all and returns their results by rank.
 * Each function typically builds its {@link Pipeline} with {@code Pipeline.builder(ctx.collective())},
 * an optimizer over its stage, and trains.
 *
 * <pre>{@code
 * List<double[]> losses = LocalPipeline.run(2, ctx -> {
 *     Pipeline p = Pipeline.builder(ctx.collective()).model(buildModel(), 3).microBatches(4)
 *             .device(ctx.rank() == 0 ? Device.cuda(0) : Device.cuda(1)).build();
 *     Optimizer opt = new Adam(p.stage().parameters(), 1e-3);
 *     return p.fit(loader, new CrossEntropyLoss(), opt, 10);
 * });
 * }</pre>
 */
public final class LocalPipeline {
    private LocalPipeline() {
    }

    /**
     * {@link #run(int, Duration, DistributedFunction)} with {@link LocalCollective#DEFAULT_TIMEOUT}.
     *
     * @param <R> the result type
     * @param stages the number of stages
     * @param stage the function each stage runs
     * @return each rank's result, by rank
     */
    public static <R> List<R> run(int stages, DistributedFunction<R> stage) {
        return run(stages, LocalCollective.DEFAULT_TIMEOUT, stage);
    }

    /**
     * Runs {@code stage} on {@code stages} threads, thread s as rank s of a new in-process group whose
     * operations wait at most {@code timeout} for a peer, and returns each rank's result, element s
     * being rank s's. Each rank's collective is closed when its function returns or throws, so a
     * failing stage makes the others fail at once instead of waiting for the timeout.
     *
     * @param <R> the result type
     * @param stages the number of stages
     * @param timeout the longest wait for a peer
     * @param stage the function each stage runs
     * @return each rank's result, by rank
     * @throws IllegalArgumentException if stages &lt; 1 or the timeout is not positive
     * @throws RuntimeException the failure of a stage, as it was thrown (a checked exception wrapped in
     *         an {@link IllegalStateException} naming the stage): the first, in rank order, that is not
     *         merely a {@link CollectiveException} caused by another stage's failure; the others are
     *         attached as suppressed exceptions
     */
    public static <R> List<R> run(int stages, Duration timeout, DistributedFunction<R> stage) {
        Objects.requireNonNull(stage, "stage");
        List<Collective> group = LocalCollective.group(stages, timeout);
        List<R> results = new ArrayList<>();
        Throwable[] failures = new Throwable[stages];
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            results.add(null);
            int rank = s;
            Thread t = new Thread(() -> {
                Collective c = group.get(rank);
                try {
                    results.set(rank, stage.apply(new DistributedContext(c, 0)));
                } catch (Throwable e) {
                    failures[rank] = e;
                } finally {
                    c.close();
                }
            }, "pipeline-stage-" + s);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("LocalPipeline.run: interrupted while the stages ran", e);
        }
        Throwable first = null;
        int firstRank = -1;
        for (int pass = 0; pass < 2 && first == null; pass++) {
            for (int s = 0; s < stages && first == null; s++) {
                if (failures[s] != null && (pass == 1 || !(failures[s] instanceof CollectiveException))) {
                    first = failures[s];
                    firstRank = s;
                }
            }
        }
        if (first == null) {
            return results;
        }
        RuntimeException thrown = first instanceof RuntimeException r ? r
                : first instanceof Error ? null
                : new IllegalStateException("LocalPipeline.run: stage " + firstRank + " failed: " + first, first);
        Throwable report = thrown != null ? thrown : first;
        for (int s = 0; s < stages; s++) {
            if (failures[s] != null && failures[s] != first) {
                report.addSuppressed(failures[s]);
            }
        }
        if (thrown == null) {
            throw (Error) first;
        }
        throw thrown;
    }
}
