package org.trainer.hpo;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.SplitMix64;

/**
 * A hyperparameter search: trials, the sampler that proposes their parameters, the pruner that
 * stops them early, and (optionally) the journal that makes it survive a crash.
 *
 * <p>At each trial's start ({@link #ask()}) the sampler proposes values jointly over the space
 * known then: the declared ranges when the study has them ({@link Builder#space}), otherwise
 * (define-by-run) the parameters that every COMPLETE trial so far suggested with the same range
 * (the intersection, as Optuna's). Parameters outside it are drawn independently at random
 * when the objective first suggests them. Seeds: trial n gets seed mix64(seed + gamma * (n + 1));
 * the sampler's seed for trial n and each independent draw are derived from it, so a study
 * repeated with the same seed and the same completion order proposes the same points.
 *
 * <p>Warm start: {@link Builder#priors} adds earlier observations, k COMPLETE trials numbered
 * -k, ..., -1 in the parents' order (the first prior is -k, the last -1; see {@link WarmStart});
 * samplers see them ahead of the study's own trials in
 * {@code trials}, and {@link #bestTrial()} includes them; they do not count as the study's trials.
 *
 * <p>Journal: with {@link Builder#journal}, every start, report and finish is appended and
 * forced to disk. Opening a study on an existing journal replays it: finished trials are kept
 * and not re-run, trials that were running when the process died are re-queued and re-run with
 * the same number, seed and proposal.
 *
 * <p>Shared journal: with {@link Builder#sharedJournal}, several studies (threads of this JVM,
 * or processes on machines that share the file) work on one study: each journal operation
 * takes the file's lock, reads what the others appended and then appends, so a trial is claimed
 * by exactly one worker, samplers and pruners see every worker's trials, and {@code maxTrials}
 * counts the whole study's trials. A worker proves it is alive by holding a lock on its own file
 * ({@code worker-<id>.lock} beside the journal); the trials of a worker whose lock is free are
 * re-run, with their number, seed and proposal, by the next worker that looks.
 *
 * <p>A shared journal needs a file system whose POSIX advisory locks ({@code fcntl}, what
 * {@link java.nio.channels.FileChannel#lock()} takes) every worker's machine honours and that
 * releases them when their process dies: a local file system, or NFS with its lock manager (NFSv4,
 * or NFSv3 with lockd/statd; not mounted with {@code nolock} or {@code local_lock}). Not an
 * object store mounted as a file system, nor sshfs.
 */
public final class Study implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Study.class);
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** How often a shared-journal worker with a free slot looks for trials to re-run. */
    static final long POLL_MILLIS = 100;

    private final String name;
    private final Direction direction;
    private final Sampler sampler;
    private final Pruner pruner;
    private final long seed;
    private final SearchSpace declared;
    private final List<FrozenTrial> priors;
    private final Map<String, Range> priorSpace;
    private final Journal journal;
    private final SharedJournal shared;
    private final WorkerLock worker;
    private final Path workersDir;
    private final Set<String> deadWorkers = new HashSet<>();
    private boolean closed;
    private final TreeMap<Integer, Record> records = new TreeMap<>();
    private final Deque<Integer> requeued = new ArrayDeque<>();
    private int nextNumber;

    /** Mutable state of one of the study's trials. */
    private static final class Record {
        final int number;
        long seed;
        TrialState state = TrialState.RUNNING;
        Map<String, Object> proposal = new LinkedHashMap<>();
        Map<String, Range> proposalSpace = new LinkedHashMap<>();
        Map<String, Object> params = new LinkedHashMap<>();
        Map<String, Range> distributions = new LinkedHashMap<>();
        TreeMap<Integer, Double> intermediate = new TreeMap<>();
        Double value;
        String error;
        boolean pruneRequested;
        /** The shared-journal worker running (or that ran) it; null in an exclusive journal. */
        String worker;

        Record(int number) {
            this.number = number;
        }

        FrozenTrial freeze() {
            return new FrozenTrial(number, state, params, value, intermediate, error);
        }
    }

    private Study(Builder b) {
        this.name = b.name;
        this.direction = b.direction;
        this.sampler = b.sampler;
        this.pruner = b.pruner;
        this.seed = b.seed;
        this.declared = b.space;
        this.priors = List.copyOf(b.priors);
        this.priorSpace = b.priorSpace;
        this.workersDir = b.journal != null && b.shared ? workersDir(b.journal) : null;
        if (b.journal == null) {
            this.journal = null;
            this.shared = null;
            this.worker = null;
        } else if (b.shared) {
            SharedJournal sj = SharedJournal.open(b.journal);
            WorkerLock w = null;
            try {
                w = WorkerLock.acquire(workersDir);
                sj.lock();
                try {
                    List<JsonNode> events = sj.readNew();
                    if (!events.isEmpty()) {
                        requireStudyFirst(events, b.journal);
                    }
                    applyAll(events, b.journal);
                    if (events.isEmpty()) {
                        ObjectNode e = event("study");
                        e.put("name", name).put("direction", direction.name()).put("seed", seed);
                        sj.append(List.of(e));
                    }
                } finally {
                    sj.unlock();
                }
            } catch (RuntimeException e) {
                if (w != null) {
                    w.close();
                }
                sj.close();
                throw e;
            }
            this.journal = null;
            this.shared = sj;
            this.worker = w;
            LOG.info("study {}: worker {} joined {} ({} trials there)", name, w.id(), b.journal, records.size());
        } else {
            this.shared = null;
            this.worker = null;
            // replay validates name, direction and seed before the journal cuts a torn tail off
            this.journal = Journal.open(b.journal, events -> {
                if (!events.isEmpty()) {
                    requireStudyFirst(events, b.journal);
                }
                replay(events, b.journal);
            });
            if (journal.events().isEmpty()) {
                ObjectNode e = event("study");
                e.put("name", name).put("direction", direction.name()).put("seed", seed);
                try {
                    journal.append(e);
                } catch (RuntimeException ex) {
                    journal.close();
                    throw ex;
                }
            }
        }
    }

    /**
     * A builder; name and direction are required, the sampler defaults to {@link RandomSampler} and the pruner to none.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The study's name (journals are keyed by it).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Whether the study minimizes or maximizes the objective.
     *
     * @return MINIMIZE or MAXIMIZE
     */
    public Direction direction() {
        return direction;
    }

    /**
     * The sampler that proposes the trials' hyperparameters.
     *
     * @return the sampler
     */
    public Sampler sampler() {
        return sampler;
    }

    /**
     * The pruner that decides whether a running trial stops early.
     *
     * @return the pruner ({@link Pruner#none()} when none was set)
     */
    public Pruner pruner() {
        return pruner;
    }

    /**
     * The declared ranges, or empty for a define-by-run study.
     *
     * @return the declared space, if any
     */
    public Optional<SearchSpace> space() {
        return Optional.ofNullable(declared);
    }

    /**
     * The k warm-start observations, numbered -k, ..., -1 in the parents' order (as {@link WarmStart} numbers them).
     *
     * @return the warm-start observations, possibly empty
     */
    public List<FrozenTrial> priors() {
        return priors;
    }

    /** Where the workers of a shared journal keep their lock files: {@code <journal name>.workers} beside it. */
    static Path workersDir(Path journalFile) {
        Path abs = journalFile.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + ".workers");
    }

    /**
     * This study's worker id in a shared journal (its lock file is {@code worker-<id>.lock}), or empty.
     *
     * @return the worker id, or empty outside a shared journal
     */
    public Optional<String> workerId() {
        return Optional.ofNullable(worker).map(WorkerLock::id);
    }

    /**
     * The study's own trials, in number order (in a shared journal: every worker's, read now).
     *
     * @return a snapshot of the trials
     */
    public synchronized List<FrozenTrial> trials() {
        refresh();
        List<FrozenTrial> out = new ArrayList<>();
        records.values().forEach(r -> out.add(r.freeze()));
        return Collections.unmodifiableList(out);
    }

    /**
     * The ranges trial {@code number} used, by name (what its parameters were drawn from).
     *
     * @param number a trial's number
     * @return the ranges by parameter name
     */
    public synchronized Map<String, Range> distributions(int number) {
        refresh();
        return Collections.unmodifiableMap(new LinkedHashMap<>(record(number).distributions));
    }

    /**
     * The best COMPLETE trial among the study's own and the warm-start ones (the earliest on a tie).
     *
     * @return the best trial, or empty when none has completed
     */
    public synchronized Optional<FrozenTrial> bestTrial() {
        refresh();
        FrozenTrial best = null;
        for (FrozenTrial t : allTrials()) {
            if (t.state() == TrialState.COMPLETE && (best == null || direction.better(t.value(), best.value()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * How many of the study's own trials have finished (COMPLETE, PRUNED or FAILED).
     *
     * @return the number of finished trials
     */
    public synchronized int finishedCount() {
        refresh();
        return (int) records.values().stream().filter(r -> r.state != TrialState.RUNNING).count();
    }

    /** Priors and own trials, as samplers and pruners see them. */
    private List<FrozenTrial> allTrials() {
        List<FrozenTrial> out = new ArrayList<>(priors);
        records.values().forEach(r -> out.add(r.freeze()));
        return out;
    }

    static long trialSeed(long studySeed, int number) {
        return SplitMix64.mix64(studySeed + GAMMA * (number + 1L));
    }

    /**
     * Starts a trial: a re-queued one first (in a shared journal: one whose worker died), else a
     * new number with the sampler's proposal. The start is journaled before the study records
     * it, so a failed append leaves no trace.
     *
     * @return the running trial; finish it with {@link #tell}
     */
    public synchronized Trial ask() {
        return locked(() -> {
            Trial orphan = shared != null ? rerunOrphan() : null;
            if (orphan != null) {
                return orphan;
            }
            if (shared == null && !requeued.isEmpty()) {
                Trial t = restart(records.get(requeued.peek()), "it was running when the study stopped");
                requeued.poll();
                return t;
            }
            return newTrial();
        });
    }

    /**
     * Shared journal: claims the next trial to run (one whose worker died, else a new one while
     * the study holds fewer than {@code maxTrials} trials, finished or running, of any worker),
     * or returns null when there is none. Appends its start to the journal.
     */
    private synchronized Trial claim(int maxTrials) {
        return locked(() -> {
            Trial orphan = rerunOrphan();
            if (orphan != null) {
                return orphan;
            }
            return records.size() < maxTrials ? newTrial() : null;
        });
    }

    /** Shared journal: whether another worker is running one of the study's trials now. */
    private synchronized boolean runningElsewhere() {
        return locked(() -> records.values().stream()
                .anyMatch(r -> r.state == TrialState.RUNNING && !worker.id().equals(r.worker)));
    }

    /** Shared journal: restarts the lowest-numbered RUNNING trial whose worker is dead, if any. */
    private Trial rerunOrphan() {
        Map<String, Boolean> alive = new HashMap<>();
        for (Record r : records.values()) {
            if (r.state != TrialState.RUNNING || worker.id().equals(r.worker)) {
                continue;
            }
            // no worker: started by an exclusive study, which has closed since we hold the file's lock
            boolean live = r.worker != null && !deadWorkers.contains(r.worker)
                    && alive.computeIfAbsent(r.worker, id -> WorkerLock.isAlive(workersDir, id));
            if (!live) {
                if (r.worker != null && deadWorkers.add(r.worker)) {
                    LOG.warn("study {}: worker {} is gone (its lock in {} is free); re-running its trials", name,
                            r.worker, workersDir);
                }
                return restart(r, r.worker == null ? "its study closed while it ran" : "worker " + r.worker + " died");
            }
        }
        return null;
    }

    /** Runs trial {@code r} again with its number, seed and proposal; its earlier reports are dropped. */
    private Trial restart(Record r, String why) {
        appendStart(r.number, r.seed, r.proposal, r.proposalSpace);
        r.state = TrialState.RUNNING;
        r.intermediate.clear();
        r.pruneRequested = false;
        r.value = null;
        r.error = null;
        r.params = new LinkedHashMap<>(declared != null ? r.proposal : Map.of());
        r.distributions = new LinkedHashMap<>(declared != null ? r.proposalSpace : Map.of());
        r.worker = worker == null ? null : worker.id();
        LOG.info("study {}: re-running trial {} ({})", name, r.number, why);
        return trialOf(r);
    }

    private Trial newTrial() {
        int number = nextNumber;
        long trialSeed = trialSeed(seed, number);
        SearchSpace space = samplingSpace();
        Map<String, Object> proposal = new LinkedHashMap<>();
        Map<String, Range> proposalSpace = new LinkedHashMap<>();
        if (!space.isEmpty()) {
            Map<String, Object> p = sampler.sample(space, allTrials(), direction, SplitMix64.mix64(trialSeed + 1));
            check(space, p);
            proposal.putAll(p);
            proposalSpace.putAll(space.ranges());
        }
        appendStart(number, trialSeed, proposal, proposalSpace);
        Record r = new Record(number);
        r.seed = trialSeed;
        r.proposal = proposal;
        r.proposalSpace = proposalSpace;
        if (declared != null) {
            r.params = new LinkedHashMap<>(proposal);
            r.distributions = new LinkedHashMap<>(proposalSpace);
        }
        r.worker = worker == null ? null : worker.id();
        records.put(number, r);
        nextNumber++;
        return trialOf(r);
    }

    private Trial trialOf(Record r) {
        return new Trial(this, r.number, r.seed, Collections.unmodifiableMap(r.proposal),
                Collections.unmodifiableMap(r.proposalSpace));
    }

    /**
     * Runs {@code body} with the journal to itself: in a shared journal, under its lock and after
     * applying what the other workers appended; otherwise directly.
     */
    private <T> T locked(Supplier<T> body) {
        if (shared == null) {
            return body.get();
        }
        shared.lock();
        try {
            applyAll(shared.readNew(), shared.file());
            return body.get();
        } finally {
            shared.unlock();
        }
    }

    /**
     * Shared journal: applies the other workers' new events. A no-op otherwise, and once the
     * study is closed (it then shows the trials as they were when it closed).
     */
    private void refresh() {
        if (!closed) {
            locked(() -> null);
        }
    }

    /** Appends an event to the journal, if any (in a shared one, stamped with this worker; under {@link #locked}). */
    private void write(ObjectNode e) {
        if (shared != null) {
            e.put("worker", worker.id());
            shared.append(List.of(e));
        } else if (journal != null) {
            journal.append(e);
        }
    }

    /** Shared journal: refuses to write for a trial that another worker has taken over. */
    private void requireOwned(Record r) {
        if (shared != null && !worker.id().equals(r.worker)) {
            throw new IllegalStateException("Study: trial " + r.number + " in " + shared.file() + " is run by worker "
                    + r.worker + " now, not by this worker " + worker.id() + " (it was declared dead and its trial re-run)");
        }
    }

    private void appendStart(int number, long trialSeed, Map<String, Object> proposal, Map<String, Range> proposalSpace) {
        if (journal != null || shared != null) {
            ObjectNode e = event("start").put("number", number).put("seed", trialSeed);
            e.set("params", JsonCodec.params(proposal));
            e.set("distributions", JsonCodec.ranges(proposalSpace));
            write(e);
        }
    }

    private void check(SearchSpace space, Map<String, Object> p) {
        for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
            Object v = p.get(e.getKey());
            if (!e.getValue().contains(v)) {
                throw new IllegalStateException("Study: sampler " + sampler + " proposed " + e.getKey() + " = " + v
                        + " (" + (v == null ? "missing" : v.getClass().getSimpleName()) + "), not a value of " + e.getValue());
            }
        }
    }

    /** The declared space, or the intersection of the COMPLETE trials' ranges (define-by-run). */
    private SearchSpace samplingSpace() {
        if (declared != null) {
            return declared;
        }
        Map<String, Range> common = null;
        List<Map<String, Range>> spaces = new ArrayList<>();
        if (!priors.isEmpty()) {
            spaces.add(priorSpace); // every prior was mapped into this one space
        }
        for (Record r : records.values()) {
            if (r.state == TrialState.COMPLETE) {
                spaces.add(r.distributions);
            }
        }
        for (Map<String, Range> s : spaces) {
            if (common == null) {
                common = new LinkedHashMap<>(s);
            } else {
                common.entrySet().removeIf(e -> !e.getValue().equals(s.get(e.getKey())));
            }
        }
        return SearchSpace.of(common == null ? Map.of() : common);
    }

    synchronized Object suggest(int number, long trialSeed, String param, Range range, Object proposed) {
        Record r = record(number);
        Range before = r.distributions.get(param);
        if (before != null) {
            if (!before.equals(range)) {
                throw new IllegalArgumentException("Trial " + number + ": parameter '" + param + "' was suggested with "
                        + before + ", now with " + range);
            }
            return r.params.get(param);
        }
        Object v = proposed != null ? proposed
                : RandomSampler.draw(range, new SplitMix64(SplitMix64.mix64(trialSeed + GAMMA * (param.hashCode() + 2L))));
        r.params.put(param, v);
        r.distributions.put(param, range);
        return v;
    }

    synchronized Map<String, Object> paramsOf(int number) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(record(number).params));
    }

    synchronized void report(int number, int step, double value) {
        locked(() -> {
            Record r = record(number);
            requireOwned(r);
            if (r.state != TrialState.RUNNING) {
                throw new IllegalStateException("Trial " + number + ": cannot report to a " + r.state + " trial");
            }
            if (r.intermediate.containsKey(step)) {
                throw new IllegalArgumentException("Trial " + number + ": step " + step + " was already reported ("
                        + r.intermediate.get(step) + ")");
            }
            if (journal != null || shared != null) {
                write(event("report").put("number", number).put("step", step).put("value", value));
            }
            r.intermediate.put(step, value);
            return null;
        });
    }

    /** Asks the pruner (in a shared journal, after reading the other workers' reports). */
    synchronized boolean shouldPrune(int number) {
        return locked(() -> {
            Record r = record(number);
            if (!r.pruneRequested && pruner.prune(allTrials(), r.freeze(), direction)) {
                r.pruneRequested = true;
            }
            return r.pruneRequested;
        });
    }

    /**
     * Finishes a trial with its objective value (a non-finite value records it FAILED).
     *
     * @param trial a trial from {@link #ask()}
     * @param value its objective value
     */
    public void tell(Trial trial, double value) {
        Objects.requireNonNull(trial, "Study.tell: trial");
        finish(trial.number(), value, null);
    }

    /**
     * Finishes a trial that threw: PRUNED for {@link TrialPruned} or when the pruner had said stop, else FAILED.
     *
     * @param trial a trial from {@link #ask()}
     * @param error what the objective threw
     */
    public void tell(Trial trial, Throwable error) {
        Objects.requireNonNull(trial, "Study.tell: trial");
        finish(trial.number(), Double.NaN, Objects.requireNonNull(error, "Study.tell: error"));
    }

    /** Decides the trial's end, journals it, and only then records it (a failed append changes nothing). */
    private synchronized void finish(int number, double value, Throwable error) {
        finish(number, value, error, false);
    }

    /**
     * Records the trial's end; with {@code takenOverIsNormal}, a trial that another worker has
     * taken over in a shared journal is left to it and false is returned (else that is an error).
     */
    private synchronized boolean finish(int number, double value, Throwable error, boolean takenOverIsNormal) {
        return locked(() -> {
            if (takenOverIsNormal && shared != null && !worker.id().equals(record(number).worker)) {
                return false;
            }
            finishLocked(number, value, error);
            return true;
        });
    }

    private void finishLocked(int number, double value, Throwable error) {
        Record r = record(number);
        requireOwned(r);
        if (r.state != TrialState.RUNNING) {
            throw new IllegalStateException("Study: trial " + number + " already finished as " + r.state);
        }
        TrialState state;
        Double finalValue = null;
        String message = null;
        if (r.pruneRequested || error instanceof TrialPruned) {
            state = TrialState.PRUNED;
        } else if (error != null) {
            state = TrialState.FAILED;
            message = error.toString();
        } else if (!Double.isFinite(value)) {
            state = TrialState.FAILED;
            message = "the objective returned " + value;
        } else {
            state = TrialState.COMPLETE;
            finalValue = value;
        }
        if (journal != null || shared != null) {
            ObjectNode e = event("finish").put("number", number).put("state", state.name());
            if (finalValue != null) {
                e.put("value", finalValue);
            }
            if (message != null) {
                e.put("error", message);
            }
            e.set("params", JsonCodec.params(r.params));
            e.set("distributions", JsonCodec.ranges(r.distributions));
            write(e);
        }
        r.state = state;
        r.value = finalValue;
        r.error = message;
        if (state == TrialState.FAILED) {
            LOG.warn("study {}: trial {} failed: {}", name, number, message);
        }
    }

    private Record record(int number) {
        Record r = records.get(number);
        if (r == null) {
            throw new IllegalArgumentException("Study: no trial " + number + " in study '" + name + "'");
        }
        return r;
    }

    /**
     * Runs {@code objective} on this thread until the study holds {@code maxTrials} finished trials
     * (in a shared journal: counting every worker's, see {@link #optimize(TrialExecutor, int)}).
     *
     * @param objective trains and returns the objective value
     * @param maxTrials the number of finished trials to reach
     */
    public void optimize(Objective objective, int maxTrials) {
        optimize(objective, maxTrials, 1);
    }

    /**
     * Runs {@code objective} on {@code parallel} threads until the study holds {@code maxTrials} finished trials.
     *
     * @param objective trains and returns the objective value; called from several threads at once
     * @param maxTrials the number of finished trials to reach
     * @param parallel the number of threads, at least 1
     */
    public void optimize(Objective objective, int maxTrials, int parallel) {
        try (ThreadPoolTrialExecutor ex = new ThreadPoolTrialExecutor(objective, parallel)) {
            optimize(ex, maxTrials);
        }
    }

    /**
     * Keeps {@code executor.parallelism()} trials in flight until the study holds
     * {@code maxTrials} finished trials (a resumed study runs only the rest; re-queued trials
     * first). A trial that fails is recorded FAILED with its error and the search goes on.
     *
     * <p>In a shared journal {@code maxTrials} is the study's total over all workers: a new trial
     * is started only while the study holds fewer than {@code maxTrials} trials, finished or
     * running. Trials whose worker died are re-run first. When there is nothing left to start
     * this worker waits (polling the journal every {@value #POLL_MILLIS} ms) until the other
     * workers' trials have finished, so that it can re-run those of a worker that dies; it
     * returns when every trial of the study has finished.
     *
     * @param executor runs the trials (on threads, processes or a cluster)
     * @param maxTrials the number of finished trials to reach
     * @throws IllegalArgumentException when the executor cannot serve this study: it cannot
     *                                  prune and the study has a pruner, or it needs declared
     *                                  ranges and the study is define-by-run
     */
    public void optimize(TrialExecutor executor, int maxTrials) {
        Objects.requireNonNull(executor, "Study.optimize: executor");
        if (maxTrials < 0) {
            throw new IllegalArgumentException("Study: maxTrials must be >= 0, got " + maxTrials);
        }
        if (pruner.prunes() && !executor.supportsPruning()) {
            throw new IllegalArgumentException("Study: " + executor + " runs every trial to its end (its trials cannot"
                    + " report back), but study '" + name + "' has pruner " + pruner + "; use Pruner.none() with it");
        }
        if (declared == null && !executor.supportsDefineByRun()) {
            throw new IllegalArgumentException("Study: " + executor + " needs every parameter when a trial starts, but study '"
                    + name + "' declares no ranges (define-by-run); declare them with Study.Builder.space");
        }
        record Done(Trial trial, Double value, Throwable error) {
        }
        BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        int inFlight = 0;
        while (true) {
            while (inFlight < executor.parallelism()) {
                Trial t;
                if (shared != null) {
                    t = claim(maxTrials);
                    if (t == null) {
                        break;
                    }
                } else if (finishedCount() + inFlight < maxTrials) {
                    t = ask();
                } else {
                    break;
                }
                inFlight++;
                CompletableFuture<Double> f = executor.submit(t);
                f.whenComplete((v, e) -> done.add(new Done(t, v, e)));
            }
            if (inFlight == 0 && (shared == null || !runningElsewhere())) {
                return;
            }
            Done d;
            try {
                // with a free slot, look again after a while: another worker may die and leave trials to re-run
                d = shared != null && inFlight < executor.parallelism() ? done.poll(POLL_MILLIS, TimeUnit.MILLISECONDS)
                        : done.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Study: interrupted with " + inFlight + " trials running", e);
            }
            if (d == null) {
                continue;
            }
            inFlight--;
            int number = d.trial().number();
            boolean recorded = d.error() != null ? finish(number, Double.NaN, unwrap(d.error()), true)
                    : finish(number, d.value(), null, true);
            if (!recorded) {
                LOG.warn("study {}: trial {} ended here after another worker had taken it over (this worker was"
                        + " declared dead); its result is dropped", name, number);
            }
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static ObjectNode event(String kind) {
        return JsonCodec.MAPPER.createObjectNode().put("event", kind);
    }

    private void replay(List<JsonNode> events, Path source) {
        applyAll(events, source);
        records.values().stream().filter(r -> r.state == TrialState.RUNNING).forEach(r -> requeued.add(r.number));
        if (!records.isEmpty()) {
            LOG.info("study {}: read {}: {} finished trials, {} were running", name, source,
                    records.size() - requeued.size(), requeued.size());
        }
    }

    /** @throws IllegalArgumentException naming the file and line when the first event is not a study event */
    private static void requireStudyFirst(List<JsonNode> events, Path source) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("Journal: " + source + " holds no events, expected a study event first");
        }
        if (!"study".equals(events.get(0).path("event").asText())) {
            int line = events instanceof JournalEvents.Lines l ? l.line(0) : 1;
            throw new IllegalArgumentException("Journal: " + source + " line " + line + ": the first event is a "
                    + events.get(0).path("event").asText() + " event, expected a study event");
        }
    }

    /** Applies events in order, each with its line in {@code source} for the messages of refusals. */
    private void applyAll(List<JsonNode> events, Path source) {
        JournalEvents.Lines lines = events instanceof JournalEvents.Lines l ? l : null;
        for (int i = 0; i < events.size(); i++) {
            apply(events.get(i), source, lines != null ? lines.line(i) : -1);
        }
    }

    /** An error naming the journal and the line of the event it refuses. */
    private static IllegalStateException refused(Path source, int line, String why, RuntimeException cause) {
        return new IllegalStateException("Journal: " + source + (line > 0 ? " line " + line : "") + ": " + why, cause);
    }

    /** The trial a report or finish refers to, refused when no earlier start event began it. */
    private Record started(JsonNode e, Path source, int line) {
        int n = e.get("number").asInt();
        Record r = records.get(n);
        if (r == null) {
            throw refused(source, line, "a " + e.get("event").asText() + " event for trial " + n
                    + ", which no earlier start event began (expected a start first)", null);
        }
        return r;
    }

    /**
     * Applies one journal event (fields already checked by {@link JournalEvents}) to the study's
     * records; {@code line} names it in refusals (-1 when unknown). Reports and finishes count only when
     * written by the worker that started the trial's latest run (none in an exclusive journal).
     */
    private void apply(JsonNode e, Path source, int line) {
        String kind = e.path("event").asText();
        switch (kind) {
            case "study" -> {
                if (!name.equals(e.get("name").asText())) {
                    throw new IllegalArgumentException("Study: journal " + source + " holds study '"
                            + e.get("name").asText() + "', not '" + name + "'");
                }
                if (direction != Direction.valueOf(e.get("direction").asText())) {
                    throw new IllegalArgumentException("Study: journal " + source + " holds a "
                            + e.get("direction").asText() + " study, got " + direction);
                }
                if (seed != e.get("seed").asLong()) {
                    throw new IllegalArgumentException("Study: journal " + source + " holds a study with seed "
                            + e.get("seed").asLong() + ", got " + seed);
                }
            }
            case "start" -> {
                int n = e.get("number").asInt();
                Record r = records.computeIfAbsent(n, Record::new);
                r.seed = e.get("seed").asLong();
                r.state = TrialState.RUNNING;
                try {
                    r.proposalSpace = JsonCodec.ranges(e.get("distributions"));
                    r.proposal = JsonCodec.params(e.get("params"), r.proposalSpace);
                } catch (IllegalArgumentException ex) {
                    throw refused(source, line, ex.getMessage(), ex);
                }
                r.intermediate.clear();
                r.value = null;
                r.error = null;
                r.pruneRequested = false;
                r.worker = workerOf(e);
                r.params = new LinkedHashMap<>(declared != null ? r.proposal : Map.of());
                r.distributions = new LinkedHashMap<>(declared != null ? r.proposalSpace : Map.of());
                nextNumber = Math.max(nextNumber, n + 1);
            }
            case "report" -> {
                Record r = started(e, source, line);
                if (Objects.equals(r.worker, workerOf(e))) {
                    r.intermediate.put(e.get("step").asInt(), e.get("value").asDouble());
                }
            }
            case "finish" -> {
                Record r = started(e, source, line);
                if (!Objects.equals(r.worker, workerOf(e))) {
                    return; // a late write by a worker declared dead: the trial's re-run owns it now
                }
                Map<String, Range> distributions;
                Map<String, Object> params;
                try {
                    distributions = JsonCodec.ranges(e.get("distributions"));
                    params = JsonCodec.params(e.get("params"), distributions);
                } catch (IllegalArgumentException ex) {
                    throw refused(source, line, ex.getMessage(), ex);
                }
                r.state = TrialState.valueOf(e.get("state").asText());
                r.value = e.hasNonNull("value") ? e.get("value").asDouble() : null;
                r.error = e.hasNonNull("error") ? e.get("error").asText() : null;
                r.distributions = distributions;
                r.params = params;
            }
            default -> throw new IllegalStateException("Study: unknown journal event '" + kind + "' in " + source + ": " + e);
        }
    }

    private static String workerOf(JsonNode e) {
        return e.hasNonNull("worker") ? e.get("worker").asText() : null;
    }

    /**
     * The trials recorded in a journal (finished and running), e.g. to warm-start a new study from.
     *
     * @param journalFile a study journal
     * @return its trials, in number order
     */
    public static List<FrozenTrial> load(Path journalFile) {
        Objects.requireNonNull(journalFile, "Study.load: journalFile");
        List<JsonNode> events = Journal.read(journalFile);
        requireStudyFirst(events, journalFile);
        JsonNode head = events.get(0);
        Study s = new Study(new Builder().name(head.get("name").asText())
                .direction(Direction.valueOf(head.get("direction").asText())).seed(head.get("seed").asLong()), events, journalFile);
        return s.trials();
    }

    /** A read-only study replayed from a journal's events (no journal attached). */
    private Study(Builder b, List<JsonNode> events, Path source) {
        this.name = b.name;
        this.direction = b.direction;
        this.sampler = b.sampler;
        this.pruner = b.pruner;
        this.seed = b.seed;
        this.declared = null;
        this.priors = List.of();
        this.priorSpace = Map.of();
        this.journal = null;
        this.shared = null;
        this.worker = null;
        this.workersDir = null;
        replay(events, source);
    }

    /**
     * Closes the journal. In a shared journal this worker also releases its lock file, so trials
     * it left running are re-run by the next worker that claims a trial.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (journal != null) {
            journal.close();
        }
        if (shared != null) {
            try {
                shared.close();
            } finally {
                worker.close();
            }
        }
    }

    /** Builds a study; name and direction are required. */
    public static final class Builder {
        private String name;
        private Direction direction;
        private Sampler sampler = new RandomSampler();
        private Pruner pruner = Pruner.none();
        private long seed;
        private SearchSpace space;
        private Path journal;
        private boolean shared;
        private List<FrozenTrial> priors = List.of();
        private Map<String, Range> priorSpace = Map.of();

        /**
         * The study's name (required, not blank). Returns this.
         *
         * @param name the study's name
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "Study.Builder.name: name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("Study: name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Whether to minimize or maximize the objective (required). Returns this.
         *
         * @param direction MINIMIZE or MAXIMIZE
         * @return this builder
         */
        public Builder direction(Direction direction) {
            this.direction = Objects.requireNonNull(direction, "Study.Builder.direction: direction");
            return this;
        }

        /**
         * The sampler (default {@link RandomSampler}). Returns this.
         *
         * @param sampler the sampler
         * @return this builder
         */
        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "Study.Builder.sampler: sampler");
            return this;
        }

        /**
         * The pruner (default: none, every trial runs to the end). Returns this.
         *
         * @param pruner the pruner
         * @return this builder
         */
        public Builder pruner(Pruner pruner) {
            this.pruner = Objects.requireNonNull(pruner, "Study.Builder.pruner: pruner");
            return this;
        }

        /**
         * The study's seed (default 0), from which each trial's seed and draws are derived. Returns this.
         *
         * @param seed the study's seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Declares the ranges up front (SageMaker's hyperparameter_ranges); omit for define-by-run.
         *
         * @param space the ranges every trial draws from
         * @return this builder
         */
        public Builder space(SearchSpace space) {
            Objects.requireNonNull(space, "Study.Builder.space: space");
            if (space.isEmpty()) {
                throw new IllegalArgumentException("Study: a declared space must not be empty");
            }
            this.space = space;
            return this;
        }

        /**
         * Appends every event to {@code file} and resumes from it when it exists. The study holds
         * the file alone while open; see {@link #sharedJournal} for several workers on one study.
         *
         * @param file the journal file (JSON lines)
         * @return this builder
         */
        public Builder journal(Path file) {
            this.journal = Objects.requireNonNull(file, "Study.Builder.journal: file");
            this.shared = false;
            return this;
        }

        /**
         * Joins the study kept in {@code file} (created when absent) as one of several workers:
         * other studies, in this JVM or other processes on machines that share the file, may
         * open the same file with the same name, direction and seed at the same time. The file
         * system must support POSIX advisory locks (see the class comment of {@link Study}).
         *
         * @param file the journal file shared by the workers
         * @return this builder
         */
        public Builder sharedJournal(Path file) {
            this.journal = Objects.requireNonNull(file, "Study.Builder.sharedJournal: file");
            this.shared = true;
            return this;
        }

        /**
         * Earlier observations (from {@link WarmStart#identical} or {@link WarmStart#transfer}), all in {@code space}.
         *
         * @param priors the observations and the space they were mapped into
         * @return this builder
         */
        public Builder priors(WarmStart.Priors priors) {
            Objects.requireNonNull(priors, "Study.Builder.priors: priors");
            this.priors = priors.trials();
            this.priorSpace = priors.space().ranges();
            return this;
        }

        /**
         * The study, opened on its journal when one was given; throws IllegalArgumentException when the name or the
         * direction is missing.
         *
         * @return the study
         */
        public Study build() {
            if (name == null) {
                throw new IllegalArgumentException("Study: name is required");
            }
            if (direction == null) {
                throw new IllegalArgumentException("Study: direction is required");
            }
            return new Study(this);
        }
    }
}
