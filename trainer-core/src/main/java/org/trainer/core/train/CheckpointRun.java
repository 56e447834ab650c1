package org.trainer.core.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.data.BatchSource;
import org.trainer.core.loss.Loss;
import org.trainer.core.metrics.Metric;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Module;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointLock;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.CorruptCheckpointException;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;
import org.trainer.core.train.checkpoint.StopRequest;
import org.trainer.core.train.checkpoint.TrainingStoppedException;

/**
 * The checkpoints of one {@link Trainer#fit}: what goes into them and how a run is put back.
 *
 * <p>Captured: the model's parameters and buffers; the optimizer's state dict (moments, step
 * counts, current rates); every {@link Dropout}'s mask counter (with its seed, checked on resume;
 * data shuffles and schedules are pure functions of the epoch and step and need nothing); the
 * position (epoch, batch, iteration, samples); the groups' current learning rates; the history (per-epoch figures and step losses,
 * float64 so they come back bitwise); mid-epoch, the epoch's loss sum, sample count, rate and each
 * training metric's state ({@link Stateful}); the state of every {@link Stateful} callback; whether
 * a stop was requested; and the run's settings with the caller's metadata.
 *
 * <p>In state.safetensors: {@code groups.lr}, {@code history.epoch.<figure>}, {@code history.step_losses},
 * {@code epoch.loss_sum}, {@code epoch.seen}, {@code epoch.lr}, {@code metric.<i>.<key>} and
 * {@code callback.<i>.<key>} (i = the position among the trainer's metrics or callbacks), and
 * {@code history.finding.<j>} (the values of the history's j-th finding). In trainer.json's info:
 * {@code dropout} (path -> seed, calls), {@code stop_requested}, {@code config}, {@code metadata}
 * and, when the history holds findings, {@code findings} (j -> rule, severity, epoch, iteration,
 * message and the values' names). Findings are captured after the callbacks' states, so a callback
 * that records findings when asked for its state (a monitor) has them in.
 */
final class CheckpointRun {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRun.class);
    private static final String HISTORY = "history.epoch.";
    private static final String STEP_LOSSES = "history.step_losses";
    private static final String FINDING = "history.finding.";
    private static final String METRIC = "metric.";
    private static final String CALLBACK = "callback.";
    private static final String GROUP_LRS = "groups.lr";

    private final Checkpointing policy;
    private final CheckpointStore store;
    private final Module model;
    private final Optimizer optimizer;
    private final List<Callback> callbacks;
    private final int batchesPerEpoch;
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<String, Dropout> dropouts = new LinkedHashMap<>();
    private Map<Integer, Map<String, Tensor>> pendingCallbackStates;
    private CheckpointLock lock;
    /** Whether every metric is Stateful, so that a stop may checkpoint mid-epoch. */
    private final boolean midEpochStop;
    /** The checkpoint written last and its position (epoch, batch), so that a stop there reuses it. */
    private Path lastWritten;
    private long lastWrittenPosition = -1;

    CheckpointRun(Checkpointing policy, Module model, Optimizer optimizer, Loss loss, BatchSource train, int epochs,
                  List<Callback> callbacks, List<Metric> metrics, LearningRateSchedule schedule) {
        this.policy = policy;
        this.store = policy.store();
        this.model = model;
        this.optimizer = optimizer;
        this.callbacks = List.copyOf(callbacks);
        this.batchesPerEpoch = train.batchesPerEpoch();
        collectDropouts("", model);
        Map<String, Object> metricNames = new LinkedHashMap<>();
        this.midEpochStop = metrics.stream().allMatch(m -> m instanceof Stateful);
        for (int i = 0; i < metrics.size(); i++) {
            Metric m = metrics.get(i);
            if (policy.everySteps() > 0 && !(m instanceof Stateful)) {
                throw new IllegalArgumentException("checkpoints: metric '" + m.name() + "' (" + m.getClass().getName()
                        + ") does not implement Stateful, so a checkpoint taken mid-epoch cannot hold its partial "
                        + "state; implement Stateful or checkpoint at epoch ends only (everySteps(0))");
            }
            metricNames.put(Integer.toString(i), m.name());
        }
        config.put("model", model.getClass().getName());
        config.put("parameters", model.parameterCount());
        config.put("optimizer", optimizer.getClass().getName());
        config.put("loss", loss.getClass().getName());
        config.put("schedule", schedule == null ? "none" : schedule.getClass().getName());
        config.put("epochs", epochs);
        config.put("batches_per_epoch", batchesPerEpoch);
        config.put("metrics", metricNames);
    }

    private void collectDropouts(String path, Module m) {
        if (m instanceof Dropout d) {
            dropouts.put(path, d);
        }
        m.children().forEach((n, c) -> collectDropouts(path.isEmpty() ? n : path + "." + n, c));
    }

    // ---------------------------------------------------------------- writing

    /** After a batch's callbacks: writes a checkpoint when this step is due. */
    void afterBatch(TrainingContext ctx, EpochState s) {
        int n = policy.everySteps();
        if (n > 0 && ctx.iteration() % n == 0 && !(policy.everyEpoch() && s.batch == batchesPerEpoch)) {
            write(ctx, ctx.epoch(), s.batch, s);
        }
    }

    /** After an epoch's onEpochEnd callbacks: writes the epoch's checkpoint when asked for. */
    void afterEpoch(TrainingContext ctx) {
        if (policy.everyEpoch()) {
            write(ctx, ctx.epoch() + 1, 0, null);
        }
    }

    /**
     * After a step's checkpoint (or an epoch's, with {@code s} null): when a stop was requested,
     * writes a checkpoint of this moment (unless the one just written is of it) and throws.
     *
     * @throws TrainingStoppedException when the policy's {@link StopRequest} was made
     */
    void stopIfRequested(TrainingContext ctx, EpochState s) {
        StopRequest request = policy.stopRequest();
        if (request == null || !request.isRequested() || s != null && !midEpochStop) {
            return;
        }
        Path written = null;
        if (policy.writes()) {
            int epoch = s == null ? ctx.epoch() + 1 : ctx.epoch();
            int batch = s == null ? 0 : s.batch;
            written = lastWritten != null && lastWrittenPosition == position(epoch, batch) ? lastWritten
                    : write(ctx, epoch, batch, s);
        }
        long now = System.nanoTime();
        String reason = request.reason().orElseThrow();
        LOG.info("stop requested ({}): checkpoint {} written {} ms after the request", reason, written,
                (now - request.requestedAtNanos()) / 1_000_000);
        throw new TrainingStoppedException(reason, written, ctx.iteration(), now);
    }

    private Path write(TrainingContext ctx, int epoch, int batch, EpochState s) {
        if (!policy.writes()) {
            return null;
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        History h = ctx.history();
        h.all().forEach((name, series) -> state.put(HISTORY + name, doubles(series)));
        double[] lrs = optimizer.groups().stream().mapToDouble(ParameterGroup::learningRate).toArray();
        state.put(GROUP_LRS, StateEntries.vector(lrs));
        if (!h.stepLosses().isEmpty()) {
            state.put(STEP_LOSSES, doubles(h.stepLosses()));
        }
        if (s != null) {
            state.put("epoch.loss_sum", StateEntries.scalar(s.lossSum));
            state.put("epoch.seen", StateEntries.scalar(s.seen));
            state.put("epoch.lr", StateEntries.scalar(s.lr));
            for (int i = 0; i < s.metrics.size(); i++) {
                String prefix = METRIC + i + ".";
                sorted(((Stateful) s.metrics.get(i)).stateDict()).forEach((k, v) -> state.put(prefix + k, v));
            }
        }
        for (int i = 0; i < callbacks.size(); i++) {
            if (callbacks.get(i) instanceof Stateful st) {
                String prefix = CALLBACK + i + ".";
                sorted(st.stateDict()).forEach((k, v) -> state.put(prefix + k, v));
            }
        }
        Map<String, Object> findings = findingsInfo(h.findings(), state);
        Map<String, Object> rng = new LinkedHashMap<>();
        dropouts.forEach((path, d) -> {
            Map<String, Object> counter = new LinkedHashMap<>();
            counter.put("seed", d.seed());
            counter.put("calls", d.calls());
            rng.put(path, counter);
        });
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("dropout", rng);
        info.put("stop_requested", ctx.stopRequested());
        info.put("config", config);
        info.put("metadata", policy.metadata());
        if (!findings.isEmpty()) {
            info.put("findings", findings);
        }
        Checkpoint c = new Checkpoint(epoch, batch, ctx.iteration(), ctx.samplesSeen(), model.stateDict(),
                optimizer.stateDict(), state, info);
        try {
            Path written = store.write(c);
            store.keepLast(policy.keepLast());
            lastWritten = written;
            lastWrittenPosition = position(epoch, batch);
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: could not write " + c + " into " + store.directory(), e);
        }
    }

    private static long position(int epoch, int batch) {
        return (long) epoch << 32 | batch;
    }

    /**
     * A state dict in name order: a Stateful may return a {@code Map.of}, whose order changes from one
     * JVM to the next, and a checkpoint's bytes (and checksums) must not.
     */
    private static Map<String, Tensor> sorted(Map<String, Tensor> stateDict) {
        return new TreeMap<>(stateDict);
    }

    /** Each finding's words and whole numbers into info; its values, which need not be whole, into the state. */
    private static Map<String, Object> findingsInfo(List<Finding> findings, Map<String, Tensor> state) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int j = 0; j < findings.size(); j++) {
            Finding f = findings.get(j);
            Map<String, Object> names = new LinkedHashMap<>();
            for (String name : f.values().keySet()) {
                names.put(Integer.toString(names.size()), name);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("rule", f.rule());
            entry.put("severity", f.severity().name());
            entry.put("epoch", (long) f.epoch());
            entry.put("iteration", f.iteration());
            entry.put("message", f.message());
            entry.put("values", names);
            out.put(Integer.toString(j), entry);
            state.put(FINDING + j, doubles(new ArrayList<>(f.values().values())));
        }
        return out;
    }

    private static Tensor doubles(List<Double> values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return Tensor.fromArray(v, v.length);
    }

    // ---------------------------------------------------------------- resuming

    /**
     * Restores the checkpoint the policy's {@link org.trainer.core.train.checkpoint.ResumeSource}
     * chooses (by default the newest good one), if any: model, optimizer, dropout counters, history and
     * position; callback states wait for {@link #restoreCallbacks()}. Returns the epoch in progress
     * for a mid-epoch checkpoint, else null.
     *
     * @throws IllegalStateException when the checkpoint was written by a different run (model,
     *                               data or settings that do not fit)
     */
    EpochState resume(TrainingContext ctx, Supplier<List<Metric>> freshMetrics) {
        Optional<Checkpoint> found;
        List<CorruptCheckpointException> refused = new ArrayList<>();
        if (policy.writes()) {
            // Before anything is cleaned up or read: a second writer must not touch the first one's files.
            lock = CheckpointLock.acquire(store.directory());
        }
        try {
            // A reader leaves the writer's files alone: they may be a checkpoint being written right now.
            int removed = policy.writes() ? store.removeTemporaries() : 0;
            if (removed > 0) {
                LOG.info("removed {} temporaries of interrupted checkpoint writes in {}", removed, store.directory());
            }
            found = policy.resumeSource().choose(store, refused);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot read " + store.directory(), e);
        }
        if (found.isEmpty() && refused.isEmpty()) {
            LOG.info("no checkpoint in {}: training from the start", store.directory());
            return null;
        }
        if (found.isEmpty()) {
            StringBuilder list = new StringBuilder();
            refused.forEach(r -> list.append("\n  ").append(r.getMessage()));
            if (policy.onAllDamaged() == Checkpointing.AllDamaged.FAIL) {
                throw new IllegalStateException("checkpoints: every checkpoint in " + store.directory() + " is damaged ("
                        + refused.size() + " refused):" + list + "\nrepair or remove them, or set "
                        + "Checkpointing.Builder.onAllDamaged(START_OVER) to train from the start");
            }
            LOG.warn("checkpoints: every checkpoint in {} is damaged ({} refused), training from the start as "
                    + "onAllDamaged(START_OVER) says:{}", store.directory(), refused.size(), list);
            return null;
        }
        Checkpoint c = found.get();
        String where = "checkpoint " + c.path().map(Object::toString).orElse(c.toString());
        List<Metric> metrics = c.batch() > 0 ? freshMetrics.get() : List.of();
        Map<Integer, Map<String, Tensor>> metricStates = new LinkedHashMap<>();
        Map<Integer, Map<String, Tensor>> callbackStates = new LinkedHashMap<>();
        Map<String, List<Double>> history = new LinkedHashMap<>();
        check(c, where, metrics, metricStates, callbackStates, history);
        List<Finding> findings = findings(c, where);

        optimizer.loadStateDict(c.optimizer()); // refuses a state that does not fit, changing nothing
        model.loadStateDict(c.model(), true);
        // The current rates, whether or not the optimizer's own state carries them.
        double[] lrs = c.state().get(GROUP_LRS).toDoubleArray();
        for (int j = 0; j < lrs.length; j++) {
            optimizer.groups().get(j).setLearningRate(lrs[j]);
        }
        Map<?, ?> rng = (Map<?, ?>) c.info().get("dropout");
        dropouts.forEach((path, d) -> d.setCalls(((Number) ((Map<?, ?>) rng.get(path)).get("calls")).longValue()));
        replayHistory(ctx.history(), history, c.state().get(STEP_LOSSES));
        findings.forEach(ctx.history()::addFinding);
        ctx.restore(c.epoch(), c.iteration(), c.samplesSeen());
        if (Boolean.TRUE.equals(c.info().get("stop_requested"))) {
            ctx.requestStop();
        }
        pendingCallbackStates = callbackStates;
        LOG.info("resuming from {} (epoch {}, batch {}, iteration {})", where, c.epoch() + 1, c.batch(), c.iteration());
        if (c.batch() == 0) {
            return null;
        }
        for (int i = 0; i < metrics.size(); i++) {
            ((Stateful) metrics.get(i)).loadStateDict(metricStates.get(i));
        }
        EpochState s = new EpochState(metrics, c.state().get("epoch.lr").item());
        s.lossSum = c.state().get("epoch.loss_sum").item();
        s.seen = StateEntries.readCount("checkpoint", c.state(), "epoch.seen");
        s.batch = c.batch();
        return s;
    }

    /** Releases the directory's writer lock, if this run took it. */
    void close() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** Restores the callbacks' states once (after onTrainBegin, or after onEpochBegin when resuming mid-epoch). */
    void restoreCallbacks() {
        if (pendingCallbackStates == null) {
            return;
        }
        pendingCallbackStates.forEach((i, st) -> ((Stateful) callbacks.get(i)).loadStateDict(st));
        pendingCallbackStates = null;
    }

    /** Checks everything that can be checked before anything changes; sorts the state's entries. */
    private void check(Checkpoint c, String where, List<Metric> metrics, Map<Integer, Map<String, Tensor>> metricStates,
                       Map<Integer, Map<String, Tensor>> callbackStates, Map<String, List<Double>> history) {
        Object savedConfig = c.info().get("config");
        if (savedConfig instanceof Map<?, ?> m && m.get("batches_per_epoch") instanceof Long saved && batchesPerEpoch >= 0
                && saved != batchesPerEpoch) {
            throw misfit(where, "it was written with " + saved + " batches per epoch, the training data now gives "
                    + batchesPerEpoch);
        }
        if (batchesPerEpoch >= 0 && c.batch() > batchesPerEpoch) {
            throw misfit(where, "its batch " + c.batch() + " is beyond the " + batchesPerEpoch + " batches of an epoch");
        }
        Map<String, Tensor> own = model.stateDict();
        if (!own.keySet().equals(c.model().keySet())) {
            TreeSet<String> missing = new TreeSet<>(own.keySet());
            missing.removeAll(c.model().keySet());
            TreeSet<String> unexpected = new TreeSet<>(c.model().keySet());
            unexpected.removeAll(own.keySet());
            throw misfit(where, "the model's parameters differ: missing " + missing + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            int[] saved = c.model().get(e.getKey()).shape();
            if (!Arrays.equals(saved, e.getValue().shape())) {
                throw misfit(where, "'" + e.getKey() + "' has shape " + Arrays.toString(saved)
                        + " in the checkpoint and " + Arrays.toString(e.getValue().shape()) + " in the model");
            }
        }
        if (!(c.info().get("dropout") instanceof Map<?, ?> rng) || !rng.keySet().equals(dropouts.keySet())) {
            throw misfit(where, "its dropout layers " + (c.info().get("dropout") instanceof Map<?, ?> r ? r.keySet()
                    : "(none recorded)") + " differ from the model's " + dropouts.keySet());
        }
        for (Map.Entry<String, Dropout> e : dropouts.entrySet()) {
            Object saved = rng.get(e.getKey());
            if (!(saved instanceof Map<?, ?> d) || !(d.get("seed") instanceof Long seed)
                    || !(d.get("calls") instanceof Long)) {
                throw misfit(where, "dropout '" + e.getKey() + "' has no seed and call count");
            }
            if (seed != e.getValue().seed()) {
                throw misfit(where, "dropout '" + e.getKey() + "' was built with seed " + seed + ", the model's has "
                        + e.getValue().seed() + " (build the model after the same Seeds.set, or give the same seed)");
            }
        }
        for (Map.Entry<String, Tensor> e : c.state().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(HISTORY)) {
                history.put(key.substring(HISTORY.length()), toList(e.getValue()));
            } else if (key.startsWith(METRIC) || key.startsWith(CALLBACK)) {
                boolean metric = key.startsWith(METRIC);
                String rest = key.substring(metric ? METRIC.length() : CALLBACK.length());
                int dot = rest.indexOf('.');
                int i;
                try {
                    i = dot < 0 ? -1 : Integer.parseInt(rest.substring(0, dot));
                } catch (NumberFormatException ex) {
                    i = -1;
                }
                int bound = metric ? metrics.size() : callbacks.size();
                if (i < 0 || i >= bound || (!metric && !(callbacks.get(i) instanceof Stateful))) {
                    throw misfit(where, "it holds '" + key + "' but this run has " + bound + " "
                            + (metric ? "metrics" : "callbacks") + (metric ? "" : ", " + statefulIndices() + " Stateful"));
                }
                (metric ? metricStates : callbackStates).computeIfAbsent(i, k -> new LinkedHashMap<>())
                        .put(rest.substring(dot + 1), e.getValue());
            } else if (key.equals(GROUP_LRS)) {
                if (!Arrays.equals(e.getValue().shape(), new int[] {optimizer.groups().size()})) {
                    throw misfit(where, "it holds the rates of " + Arrays.toString(e.getValue().shape())
                            + " parameter groups, the optimizer has " + optimizer.groups().size());
                }
            } else if (!key.equals(STEP_LOSSES) && !key.startsWith("epoch.") && !key.startsWith(FINDING)) {
                throw misfit(where, "its state holds an unknown entry '" + key + "'");
            }
        }
        if (!c.state().containsKey(GROUP_LRS)) {
            throw misfit(where, "it holds no '" + GROUP_LRS + "'");
        }
        if (c.batch() > 0) {
            for (String k : List.of("epoch.loss_sum", "epoch.seen", "epoch.lr")) {
                if (!c.state().containsKey(k)) {
                    throw misfit(where, "it is taken mid-epoch but holds no '" + k + "'");
                }
            }
            for (int i = 0; i < metrics.size(); i++) {
                if (!(metrics.get(i) instanceof Stateful) || !metricStates.containsKey(i)) {
                    throw misfit(where, "it holds no state for metric " + i + " ('" + metrics.get(i).name() + "')");
                }
            }
        }
    }

    /** The findings a checkpoint holds, checked entry by entry (before anything changes). */
    private List<Finding> findings(Checkpoint c, String where) {
        Object saved = c.info().get("findings");
        long inState = c.state().keySet().stream().filter(k -> k.startsWith(FINDING)).count();
        if (saved == null) {
            if (inState > 0) {
                throw misfit(where, "its state holds finding values but its info no findings");
            }
            return List.of();
        }
        if (!(saved instanceof Map<?, ?> all) || all.size() != inState) {
            throw misfit(where, "its findings do not match the finding values of its state");
        }
        List<Finding> out = new ArrayList<>();
        for (int j = 0; j < all.size(); j++) {
            Tensor values = c.state().get(FINDING + j);
            if (!(all.get(Integer.toString(j)) instanceof Map<?, ?> f) || values == null
                    || !(f.get("rule") instanceof String rule) || !(f.get("severity") instanceof String severity)
                    || !(f.get("epoch") instanceof Long epoch) || !(f.get("iteration") instanceof Long iteration)
                    || !(f.get("message") instanceof String message) || !(f.get("values") instanceof Map<?, ?> names)
                    || names.size() != values.numel()) {
                throw misfit(where, "its finding " + j + " is incomplete");
            }
            Finding.Severity sev;
            try {
                sev = Finding.Severity.valueOf(severity);
            } catch (IllegalArgumentException e) {
                throw misfit(where, "its finding " + j + " has an unknown severity '" + severity + "'");
            }
            double[] v = values.toDoubleArray();
            Map<String, Double> map = new LinkedHashMap<>();
            for (int k = 0; k < v.length; k++) {
                if (!(names.get(Integer.toString(k)) instanceof String name)) {
                    throw misfit(where, "its finding " + j + " lacks the name of value " + k);
                }
                map.put(name, v[k]);
            }
            out.add(new Finding(rule, sev, Math.toIntExact(epoch), iteration, message, map));
        }
        return out;
    }

    private List<Integer> statefulIndices() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < callbacks.size(); i++) {
            if (callbacks.get(i) instanceof Stateful) {
                out.add(i);
            }
        }
        return out;
    }

    private static List<Double> toList(Tensor t) {
        List<Double> out = new ArrayList<>();
        for (double v : t.toDoubleArray()) {
            out.add(v);
        }
        return out;
    }

    /** Appends the saved epochs figure by figure, as they were added (a figure absent in an epoch stays absent). */
    private static void replayHistory(History h, Map<String, List<Double>> series, Tensor stepLosses) {
        int epochs = series.values().stream().mapToInt(List::size).max().orElse(0);
        for (int e = 0; e < epochs; e++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            for (Map.Entry<String, List<Double>> s : series.entrySet()) {
                if (e < s.getValue().size()) {
                    logs.put(s.getKey(), s.getValue().get(e));
                }
            }
            h.addEpoch(logs);
        }
        if (stepLosses != null) {
            for (double v : stepLosses.toDoubleArray()) {
                h.addStepLoss(v);
            }
        }
    }

    private IllegalStateException misfit(String where, String why) {
        return new IllegalStateException(where + " does not fit this run: " + why + ". Resume with the model, data "
                + "and settings that wrote it, or give this run another checkpoint directory");
    }
}
