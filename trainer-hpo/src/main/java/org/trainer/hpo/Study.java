package org.trainer.hpo;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

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
 */
public final class Study implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Study.class);
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final String name;
    private final Direction direction;
    private final Sampler sampler;
    private final Pruner pruner;
    private final long seed;
    private final SearchSpace declared;
    private final List<FrozenTrial> priors;
    private final Map<String, Range> priorSpace;
    private final Journal journal;
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
        if (b.journal == null) {
            this.journal = null;
        } else {
            // replay validates name, direction and seed before the journal cuts a torn tail off
            this.journal = Journal.open(b.journal, events -> replay(events, b.journal));
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

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return name;
    }

    public Direction direction() {
        return direction;
    }

    public Sampler sampler() {
        return sampler;
    }

    public Pruner pruner() {
        return pruner;
    }

    /** The declared ranges, or empty for a define-by-run study. */
    public Optional<SearchSpace> space() {
        return Optional.ofNullable(declared);
    }

    /** The k warm-start observations, numbered -k, ..., -1 in the parents' order (as {@link WarmStart} numbers them). */
    public List<FrozenTrial> priors() {
        return priors;
    }

    /** The study's own trials, in number order. */
    public synchronized List<FrozenTrial> trials() {
        List<FrozenTrial> out = new ArrayList<>();
        records.values().forEach(r -> out.add(r.freeze()));
        return Collections.unmodifiableList(out);
    }

    /** The ranges trial {@code number} used, by name (what its parameters were drawn from). */
    public synchronized Map<String, Range> distributions(int number) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(record(number).distributions));
    }

    /** The best COMPLETE trial among the study's own and the warm-start ones (the earliest on a tie). */
    public synchronized Optional<FrozenTrial> bestTrial() {
        FrozenTrial best = null;
        for (FrozenTrial t : allTrials()) {
            if (t.state() == TrialState.COMPLETE && (best == null || direction.better(t.value(), best.value()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    /** How many of the study's own trials have finished (COMPLETE, PRUNED or FAILED). */
    public synchronized int finishedCount() {
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
     * Starts a trial: a re-queued one first, else a new number with the sampler's proposal. The
     * start is journaled before the study records it, so a failed append leaves no trace.
     */
    public synchronized Trial ask() {
        Record r;
        if (!requeued.isEmpty()) {
            r = records.get(requeued.peek());
            appendStart(r.number, r.seed, r.proposal, r.proposalSpace);
            requeued.poll();
            r.state = TrialState.RUNNING;
            r.intermediate.clear();
            r.pruneRequested = false;
            r.params = new LinkedHashMap<>(declared != null ? r.proposal : Map.of());
            r.distributions = new LinkedHashMap<>(declared != null ? r.proposalSpace : Map.of());
            LOG.info("study {}: re-running trial {} (it was running when the study stopped)", name, r.number);
        } else {
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
            r = new Record(number);
            r.seed = trialSeed;
            r.proposal = proposal;
            r.proposalSpace = proposalSpace;
            if (declared != null) {
                r.params = new LinkedHashMap<>(proposal);
                r.distributions = new LinkedHashMap<>(proposalSpace);
            }
            records.put(number, r);
            nextNumber++;
        }
        return new Trial(this, r.number, r.seed, Collections.unmodifiableMap(r.proposal),
                Collections.unmodifiableMap(r.proposalSpace));
    }

    private void appendStart(int number, long trialSeed, Map<String, Object> proposal, Map<String, Range> proposalSpace) {
        if (journal != null) {
            ObjectNode e = event("start").put("number", number).put("seed", trialSeed);
            e.set("params", JsonCodec.params(proposal));
            e.set("distributions", JsonCodec.ranges(proposalSpace));
            journal.append(e);
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
        Record r = record(number);
        if (r.state != TrialState.RUNNING) {
            throw new IllegalStateException("Trial " + number + ": cannot report to a " + r.state + " trial");
        }
        if (r.intermediate.containsKey(step)) {
            throw new IllegalArgumentException("Trial " + number + ": step " + step + " was already reported ("
                    + r.intermediate.get(step) + ")");
        }
        if (journal != null) {
            journal.append(event("report").put("number", number).put("step", step).put("value", value));
        }
        r.intermediate.put(step, value);
    }

    synchronized boolean shouldPrune(int number) {
        Record r = record(number);
        if (!r.pruneRequested && pruner.prune(allTrials(), r.freeze(), direction)) {
            r.pruneRequested = true;
        }
        return r.pruneRequested;
    }

    /** Finishes a trial with its objective value (a non-finite value records it FAILED). */
    public void tell(Trial trial, double value) {
        Objects.requireNonNull(trial, "Study.tell: trial");
        finish(trial.number(), value, null);
    }

    /** Finishes a trial that threw: PRUNED for {@link TrialPruned} or when the pruner had said stop, else FAILED. */
    public void tell(Trial trial, Throwable error) {
        Objects.requireNonNull(trial, "Study.tell: trial");
        finish(trial.number(), Double.NaN, Objects.requireNonNull(error, "Study.tell: error"));
    }

    /** Decides the trial's end, journals it, and only then records it (a failed append changes nothing). */
    private synchronized void finish(int number, double value, Throwable error) {
        Record r = record(number);
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
        if (journal != null) {
            ObjectNode e = event("finish").put("number", number).put("state", state.name());
            if (finalValue != null) {
                e.put("value", finalValue);
            }
            if (message != null) {
                e.put("error", message);
            }
            e.set("params", JsonCodec.params(r.params));
            e.set("distributions", JsonCodec.ranges(r.distributions));
            journal.append(e);
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

    /** Runs {@code objective} on this thread until the study holds {@code maxTrials} finished trials. */
    public void optimize(Objective objective, int maxTrials) {
        optimize(objective, maxTrials, 1);
    }

    /** Runs {@code objective} on {@code parallel} threads until the study holds {@code maxTrials} finished trials. */
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
            while (inFlight < executor.parallelism() && finishedCount() + inFlight < maxTrials) {
                Trial t = ask();
                inFlight++;
                CompletableFuture<Double> f = executor.submit(t);
                f.whenComplete((v, e) -> done.add(new Done(t, v, e)));
            }
            if (inFlight == 0) {
                return;
            }
            Done d;
            try {
                d = done.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Study: interrupted with " + inFlight + " trials running", e);
            }
            inFlight--;
            if (d.error() != null) {
                tell(d.trial(), unwrap(d.error()));
            } else {
                tell(d.trial(), d.value());
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
        for (JsonNode e : events) {
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
                    r.proposalSpace = JsonCodec.ranges(e.get("distributions"));
                    r.proposal = JsonCodec.params(e.get("params"), r.proposalSpace);
                    r.intermediate.clear();
                    r.value = null;
                    r.error = null;
                    nextNumber = Math.max(nextNumber, n + 1);
                }
                case "report" -> record(e.get("number").asInt()).intermediate.put(e.get("step").asInt(),
                        e.get("value").asDouble());
                case "finish" -> {
                    Record r = record(e.get("number").asInt());
                    r.state = TrialState.valueOf(e.get("state").asText());
                    r.value = e.hasNonNull("value") ? e.get("value").asDouble() : null;
                    r.error = e.hasNonNull("error") ? e.get("error").asText() : null;
                    r.distributions = JsonCodec.ranges(e.get("distributions"));
                    r.params = JsonCodec.params(e.get("params"), r.distributions);
                }
                default -> throw new IllegalStateException("Study: unknown journal event '" + kind + "' in " + source);
            }
        }
        records.values().stream().filter(r -> r.state == TrialState.RUNNING).forEach(r -> requeued.add(r.number));
        if (!records.isEmpty()) {
            LOG.info("study {}: read {}: {} finished trials, {} were running", name, source,
                    records.size() - requeued.size(), requeued.size());
        }
    }

    /** The trials recorded in a journal (finished and running), e.g. to warm-start a new study from. */
    public static List<FrozenTrial> load(Path journalFile) {
        Objects.requireNonNull(journalFile, "Study.load: journalFile");
        List<JsonNode> events = Journal.read(journalFile);
        if (events.isEmpty() || !"study".equals(events.get(0).path("event").asText())) {
            throw new IllegalArgumentException("Study: " + journalFile + " does not start with a study event");
        }
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
        replay(events, source);
    }

    @Override
    public synchronized void close() {
        if (journal != null) {
            journal.close();
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
        private List<FrozenTrial> priors = List.of();
        private Map<String, Range> priorSpace = Map.of();

        public Builder name(String name) {
            Objects.requireNonNull(name, "Study.Builder.name: name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("Study: name must not be blank");
            }
            this.name = name;
            return this;
        }

        public Builder direction(Direction direction) {
            this.direction = Objects.requireNonNull(direction, "Study.Builder.direction: direction");
            return this;
        }

        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "Study.Builder.sampler: sampler");
            return this;
        }

        public Builder pruner(Pruner pruner) {
            this.pruner = Objects.requireNonNull(pruner, "Study.Builder.pruner: pruner");
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Declares the ranges up front (SageMaker's hyperparameter_ranges); omit for define-by-run. */
        public Builder space(SearchSpace space) {
            Objects.requireNonNull(space, "Study.Builder.space: space");
            if (space.isEmpty()) {
                throw new IllegalArgumentException("Study: a declared space must not be empty");
            }
            this.space = space;
            return this;
        }

        /** Appends every event to {@code file} and resumes from it when it exists. */
        public Builder journal(Path file) {
            this.journal = Objects.requireNonNull(file, "Study.Builder.journal: file");
            return this;
        }

        /** Earlier observations (from {@link WarmStart#priors}), all in {@code space}. */
        public Builder priors(WarmStart.Priors priors) {
            Objects.requireNonNull(priors, "Study.Builder.priors: priors");
            this.priors = priors.trials();
            this.priorSpace = priors.space().ranges();
            return this;
        }

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
