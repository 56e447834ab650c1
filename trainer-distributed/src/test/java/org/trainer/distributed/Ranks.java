package org.trainer.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Runs a body once per rank, each on its own thread, as the ranks of a job in one JVM. */
final class Ranks {
    private Ranks() {
    }

    /** Each rank's result, by rank; the first rank's failure is rethrown. */
    static <T> List<T> run(List<Collective> ranks, Function<Collective, T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ranks.size());
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (Collective c : ranks) {
                fs.add(pool.submit(() -> body.apply(c)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link #run} over a fresh in-process group of {@code world} ranks. */
    static <T> List<T> local(int world, Function<Collective, T> body) throws Exception {
        return run(LocalCollective.group(world), body);
    }
}
