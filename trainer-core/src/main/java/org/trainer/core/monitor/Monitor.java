package org.trainer.core.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Finding;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Watches a run with {@link Rule}s: a {@link Callback} that hands every step's loss to the rules,
 * and every {@code every} optimizer steps samples what the rules need into an immutable
 * {@link Snapshot} and hands it to one background thread that runs the rules in order; finished
 * epochs' figures go the same way.
 *
 * <pre>{@code
 * Monitor monitor = Monitor.builder().every(100)
 *         .rules(new VanishingGradient(), new DeadRelu())
 *         .rule(new ExplodingTensor(), Action.log(), Action.stop())
 *         .build();
 * History h = new Trainer().callbacks(monitor).fit(model, loss, optimizer, train, validation, 10);
 * h.findings();
 * }</pre>
 *
 * <p><b>What is sampled.</b> A step is sampled when the steps taken before it are a multiple of
 * {@code every} (so the first step always is). On such a step the monitor copies the weights before
 * the step, reads the weights and gradients after it (the gradient stays until the next step zeroes
 * it) and keeps, per trainable parameter, norms of the weights, the gradient and the update (the
 * weight difference across the step), the weights' mean and spread, the largest magnitude and the
 * count of NaN and infinite values; and, per ReLU, sigmoid and tanh layer run by a container, the
 * fraction of zeros, of dead units and of saturated outputs (through forward hooks that do nothing
 * on other steps). Nothing is copied on the other steps.
 *
 * <p><b>Every step.</b> Each step's loss goes to every rule's {@link Rule#onLoss} on the training
 * thread (cheap signals: a NaN or infinite loss, a loss exploded against its running mean), so a run
 * that diverges is caught at the step it does, whatever {@code every} is.
 *
 * <p><b>When findings land.</b> At the end of the step or epoch that found them: on a sampled step
 * the training thread waits for the rule thread's result (the rules read small figures only; the
 * sampling itself is the cost), so each finding is added to the {@link org.trainer.core.train.History}
 * and its rule's actions run, in training order, before the next step begins. A
 * {@link Action#stop()} ends the run after the step that found the problem, and the findings and the
 * step a run stops at are the same on every run with the same seed.
 *
 * <p><b>Checkpoints.</b> The monitor is {@link Stateful}: its rules' states (best values, patience
 * counters) are saved and restored; the findings themselves travel with the history.
 */
public final class Monitor implements Callback, Stateful {
    /** Steps between samples when the builder is not told otherwise. */
    public static final int DEFAULT_EVERY = 100;
    private static final String RULE = "rule.";

    private final int every;
    private final List<Rule> rules;
    private final List<List<Action>> actions;
    private final FindingsSink job;

    private final Deque<Future<List<Finding>>> pending = new ArrayDeque<>();
    private final List<Module.HookHandle> hooks = new ArrayList<>();
    private final Map<String, Snapshot.ActivationStats> activations = new LinkedHashMap<>();
    private final Map<String, float[]> before = new LinkedHashMap<>();
    private ExecutorService worker;
    private TrainingContext ctx;
    private boolean sampling;

    private Monitor(Builder b) {
        this.every = b.every;
        this.rules = List.copyOf(b.rules);
        this.actions = List.copyOf(b.actions);
        this.job = b.job;
    }

    /**
     * A builder with the defaults; add at least one rule.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Steps between samples.
     *
     * @return the interval
     */
    public int every() {
        return every;
    }

    /**
     * The rules, in the order they run.
     *
     * @return the rules
     */
    public List<Rule> rules() {
        return rules;
    }

    @Override
    public void onTrainBegin(TrainingContext c) {
        release(); // what a fit that failed (and so never reached onTrainEnd) left behind
        this.ctx = c;
        // One thread, so the rules run in order; it ends when idle, should a failed fit never reach onTrainEnd.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "trainer-monitor");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        worker = pool;
        addHooks("", c.model());
    }

    private void addHooks(String path, Module m) {
        String kind = Statistics.kind(m);
        if (kind != null) {
            String name = path;
            hooks.add(m.addForwardHook((module, out) -> {
                if (sampling) {
                    activations.put(name, Statistics.activation(name, kind, out));
                }
            }));
        }
        m.children().forEach((n, child) -> addHooks(path.isEmpty() ? n : path + "." + n, child));
    }

    @Override
    public void onBatchBegin(TrainingContext c, int batch) {
        sampling = c.iteration() % every == 0;
        if (sampling) {
            before.clear();
            activations.clear();
            trainable(c).forEach((n, p) -> before.put(n, p.value().toFloatArray()));
        }
    }

    @Override
    public void onBatchEnd(TrainingContext c, int batch, double loss) {
        for (int i = 0; i < rules.size(); i++) {
            List<Finding> found = rules.get(i).onLoss(c.epoch(), c.iteration(), loss);
            if (!found.isEmpty()) {
                record(found);
            }
        }
        if (!sampling) {
            return;
        }
        sampling = false;
        List<Snapshot.ParameterStats> params = new ArrayList<>();
        trainable(c).forEach((n, p) -> {
            float[] w0 = before.get(n);
            if (w0 != null) {
                Tensor g = p.grad();
                params.add(Statistics.parameter(n, p.value().shape(), w0, p.value().toFloatArray(),
                        g == null ? null : g.toFloatArray()));
            }
        });
        before.clear();
        Snapshot s = new Snapshot(c.epoch(), c.iteration(), loss, params, new ArrayList<>(activations.values()));
        activations.clear();
        submit(rule -> rule.onStep(s));
        drain();
    }

    @Override
    public void onEpochEnd(TrainingContext c, int epoch, Map<String, Double> logs) {
        EpochFigures e = new EpochFigures(epoch, c.iteration(), logs);
        submit(rule -> rule.onEpoch(e));
        drain();
    }

    @Override
    public void onTrainEnd(TrainingContext c) {
        try {
            drain();
        } finally {
            release();
        }
    }

    private void release() {
        hooks.forEach(Module.HookHandle::close);
        hooks.clear();
        pending.clear();
        if (worker != null) {
            worker.shutdown();
            worker = null;
        }
        ctx = null;
        sampling = false;
    }

    private static Map<String, Parameter> trainable(TrainingContext c) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        c.model().namedParameters().forEach((n, p) -> {
            if (p.isTrainable()) {
                out.put(n, p);
            }
        });
        return out;
    }

    private interface Judge {
        List<Finding> judge(Rule rule);
    }

    /** Runs every rule on the rule thread, in order; the findings come back tagged with their rule's index. */
    private void submit(Judge judge) {
        pending.add(worker.submit(() -> {
            List<Finding> found = new ArrayList<>();
            for (Rule r : rules) {
                found.addAll(judge.judge(r));
            }
            return found;
        }));
    }

    /** Waits for every result handed to the rule thread and records its findings. */
    private void drain() {
        while (!pending.isEmpty()) {
            List<Finding> found;
            try {
                found = pending.peek().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Monitor: interrupted while waiting for the rules", e);
            } catch (ExecutionException e) {
                pending.clear();
                throw new IllegalStateException("Monitor: a rule failed: " + e.getCause(), e.getCause());
            }
            pending.poll();
            if (!found.isEmpty()) {
                record(found);
            }
        }
    }

    /** Adds the findings to the history, runs their rules' actions and rewrites the job's findings. */
    private void record(List<Finding> found) {
        for (Finding f : found) {
            ctx.history().addFinding(f);
            for (Action a : actionsOf(f.rule())) {
                a.act(f, ctx);
            }
        }
        if (job != null) {
            try {
                job.recordFindings(ctx.history());
            } catch (IOException e) {
                throw new UncheckedIOException("Monitor: could not write the findings: " + e.getMessage(), e);
            }
        }
    }

    private List<Action> actionsOf(String ruleName) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).name().equals(ruleName)) {
                return actions.get(i);
            }
        }
        return List.of(Action.log());
    }

    /**
     * The rules' states, "rule.&lt;i&gt;.&lt;key&gt;"; during training, first collects every
     * pending result (as at a drain point), so the state and the history saved with it agree.
     */
    @Override
    public Map<String, Tensor> stateDict() {
        if (ctx != null) {
            drain();
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            String prefix = RULE + i + ".";
            rules.get(i).stateDict().forEach((k, v) -> out.put(prefix + k, v));
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        List<Map<String, Tensor>> perRule = new ArrayList<>();
        rules.forEach(r -> perRule.add(new LinkedHashMap<>()));
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            int i = -1;
            if (key.startsWith(RULE) && key.indexOf('.', RULE.length()) > 0) {
                try {
                    i = Integer.parseInt(key.substring(RULE.length(), key.indexOf('.', RULE.length())));
                } catch (NumberFormatException ex) {
                    i = -1;
                }
            }
            if (i < 0 || i >= rules.size()) {
                throw new IllegalArgumentException("Monitor.loadStateDict: unexpected '" + key + "' (expected rule.<i>.<key>"
                        + " for i < " + rules.size() + ")");
            }
            perRule.get(i).put(key.substring(key.indexOf('.', RULE.length()) + 1), e.getValue());
        }
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).loadStateDict(perRule.get(i));
        }
    }

    /** Settings of a {@link Monitor}. */
    public static final class Builder {
        private int every = DEFAULT_EVERY;
        private final List<Rule> rules = new ArrayList<>();
        private final List<List<Action>> actions = new ArrayList<>();
        private FindingsSink job;

        private Builder() {
        }

        /**
         * Samples one step in {@code n} (default {@value Monitor#DEFAULT_EVERY}). Returns this.
         *
         * @param n steps between samples
         * @return this builder
         */
        public Builder every(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("Monitor: every must be >= 1, got " + n);
            }
            this.every = n;
            return this;
        }

        /**
         * Adds rules whose findings are logged ({@link Action#log()}). Returns this.
         *
         * @param rs the rules
         * @return this builder
         */
        public Builder rules(Rule... rs) {
            for (Rule r : rs) {
                rule(r, Action.log());
            }
            return this;
        }

        /**
         * Adds a rule with the actions to take on each of its findings (none: only recorded). Returns this.
         *
         * @param r the rule
         * @param as the actions
         * @return this builder
         */
        public Builder rule(Rule r, Action... as) {
            if (r == null) {
                throw new IllegalArgumentException("Monitor: rule must not be null");
            }
            for (Rule other : rules) {
                if (other.name().equals(r.name())) {
                    throw new IllegalArgumentException("Monitor: a rule named '" + r.name()
                            + "' is already added; give each rule once");
                }
            }
            for (Action a : as) {
                if (a == null) {
                    throw new IllegalArgumentException("Monitor: the actions of rule '" + r.name() + "' must not be null");
                }
            }
            rules.add(r);
            actions.add(List.of(as));
            return this;
        }

        /**
         * Rewrites the findings in {@code sink} whenever findings are added, e.g. a training job's
         * output/data/findings.json ({@code JobContext} is a sink), so a job that dies later still
         * leaves them behind. Returns this.
         *
         * @param sink where the findings go
         * @return this builder
         */
        public Builder writeTo(FindingsSink sink) {
            this.job = sink;
            return this;
        }

        /**
         * The monitor; throws IllegalArgumentException when no rule was added.
         *
         * @return the monitor
         */
        public Monitor build() {
            if (rules.isEmpty()) {
                throw new IllegalArgumentException("Monitor: no rules; add some with rules(...) or rule(...)");
            }
            return new Monitor(this);
        }
    }
}
