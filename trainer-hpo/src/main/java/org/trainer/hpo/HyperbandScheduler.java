package org.trainer.hpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hyperband (Li et al., JMLR 2018), synchronous: brackets of successive halving over a resource
 * (epochs) from {@code minResource} to {@code maxResource} with reduction factor eta. With
 * s_max = floor(log_eta(max / min)), bracket s (s_max down to 0, most aggressive first) starts
 * n = ceil((s_max + 1) * eta^s / (s + 1)) configurations (the same brackets and sizes as
 * {@link HyperbandPruner}'s) at r = max(min, round(max * eta^-s)) units, then at each rung keeps
 * the best max(1, floor(n_i / eta)) and continues them to eta times the resource (capped at the
 * maximum), until the survivors reach the maximum. Trials are paused between rungs ({@link ResumableObjective} continues them),
 * so a configuration's cost is the resource it reached, not the sum of its rungs.
 *
 * <p>A rung waits for all its trials (that is the synchronous part; {@link HyperbandPruner} is
 * the asynchronous variant, ASHA, where nobody waits); the trials of a rung run on
 * {@code parallel} threads. Dropped trials are recorded PRUNED, the survivors of a bracket
 * COMPLETE with their value at the maximum, a trial that throws FAILED. The study's sampler
 * proposes each configuration when its bracket starts.
 */
public final class HyperbandScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(HyperbandScheduler.class);

    private final int minResource;
    private final int maxResource;
    private final int eta;

    /** One bracket: {@code configs} configurations starting at {@code resource} units. */
    public record Bracket(int s, int configs, int resource) {
    }

    /**
     * Brackets over resources from {@code minResource} (at least 1) to {@code maxResource} (above it) with reduction
     * factor eta (at least 2).
     *
     * @param minResource the least resource a trial uses
     * @param maxResource the most resource a trial uses
     * @param eta the reduction factor
     */
    public HyperbandScheduler(int minResource, int maxResource, int eta) {
        if (minResource < 1) {
            throw new IllegalArgumentException("HyperbandScheduler: minResource must be >= 1, got " + minResource);
        }
        if (maxResource <= minResource) {
            throw new IllegalArgumentException(
                    "HyperbandScheduler: maxResource must be > minResource (" + minResource + "), got " + maxResource);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("HyperbandScheduler: eta must be >= 2, got " + eta);
        }
        this.minResource = minResource;
        this.maxResource = maxResource;
        this.eta = eta;
    }

    /**
     * The brackets of one Hyperband iteration, most aggressive first.
     *
     * @return the brackets
     */
    public List<Bracket> brackets() {
        int count = Brackets.count(minResource, maxResource, eta);
        List<Bracket> out = new ArrayList<>();
        for (int s = count - 1; s >= 0; s--) {
            int n = Brackets.configs(count, s, eta);
            int r = (int) Math.max(minResource, Math.round(maxResource / Math.pow(eta, s)));
            out.add(new Bracket(s, n, r));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Runs Hyperband iterations until {@code budget} resource units are spent: a rung whose
     * trials would overrun the budget is not started, and the trials waiting for it are recorded
     * PRUNED. Returns the resource units spent.
     *
     * @param study the study that records the trials
     * @param objective trains a trial to a given resource
     * @param budget the resource units to spend, at least 1
     * @param parallel trials trained at once, at least 1
     * @return the resource units spent
     */
    public long run(Study study, ResumableObjective objective, long budget, int parallel) {
        Objects.requireNonNull(study, "HyperbandScheduler.run: study");
        Objects.requireNonNull(objective, "HyperbandScheduler.run: objective");
        if (budget < 1) {
            throw new IllegalArgumentException("HyperbandScheduler: budget must be >= 1, got " + budget);
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("HyperbandScheduler: parallel must be >= 1, got " + parallel);
        }
        ExecutorService pool = parallel == 1 ? null : Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "hyperband-rung");
            t.setDaemon(true);
            return t;
        });
        long spent = 0;
        try {
            outer:
            while (true) {
                for (Bracket b : brackets()) {
                    long need = (long) b.configs() * b.resource();
                    if (spent + need > budget) {
                        break outer;
                    }
                    spent += bracket(study, objective, b, budget - spent, pool);
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return spent;
    }

    private record Running(Trial trial, int used, double value) {
    }

    private long bracket(Study study, ResumableObjective objective, Bracket b, long left, ExecutorService pool) {
        List<Running> rung = new ArrayList<>();
        for (int k = 0; k < b.configs(); k++) {
            rung.add(new Running(study.ask(), 0, Double.NaN));
        }
        long spent = 0;
        int resource = b.resource();
        while (true) {
            long need = 0;
            for (Running t : rung) {
                need += resource - t.used();
            }
            if (need > left - spent) {
                for (Running t : rung) {
                    study.tell(t.trial(), new TrialPruned("the budget ran out before resource " + resource));
                    objective.release(t.trial());
                }
                LOG.info("hyperband: budget spent in bracket s={} at resource {}", b.s(), resource);
                return spent;
            }
            spent += need;
            List<Running> done = train(study, objective, rung, resource, pool);
            if (done.isEmpty()) {
                return spent; // every trial of the rung failed (each already recorded FAILED)
            }
            if (resource >= maxResource) {
                for (Running t : done) {
                    study.tell(t.trial(), t.value());
                    objective.release(t.trial());
                }
                return spent;
            }
            Direction d = study.direction();
            done.sort(Comparator.comparingDouble(t -> d.toLoss(t.value())));
            int keep = Math.min(done.size(), Math.max(1, done.size() / eta));
            for (Running t : done.subList(keep, done.size())) {
                study.tell(t.trial(), new TrialPruned("successive halving at resource " + resource));
                objective.release(t.trial());
            }
            rung = new ArrayList<>(done.subList(0, keep));
            resource = (int) Math.min(maxResource, (long) resource * eta);
        }
    }

    /** Continues every trial of the rung to {@code resource}; the failed ones are told and left out. */
    private List<Running> train(Study study, ResumableObjective objective, List<Running> rung, int resource,
                                ExecutorService pool) {
        List<Running> out = new ArrayList<>();
        List<Future<Double>> futures = new ArrayList<>();
        for (Running t : rung) {
            futures.add(pool == null ? null : pool.submit(() -> objective.train(t.trial(), resource)));
        }
        for (int i = 0; i < rung.size(); i++) {
            Running t = rung.get(i);
            try {
                double v = pool == null ? objective.train(t.trial(), resource) : futures.get(i).get();
                if (Double.isNaN(v)) {
                    throw new IllegalStateException("the objective returned NaN at resource " + resource);
                }
                out.add(new Running(t.trial(), resource, v));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("HyperbandScheduler: interrupted", e);
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                study.tell(t.trial(), cause);
                objective.release(t.trial());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "HyperbandScheduler(minResource=" + minResource + ", maxResource=" + maxResource + ", eta=" + eta + ")";
    }
}
