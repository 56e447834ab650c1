package org.trainer.core.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Device;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.BatchSource;
import org.trainer.core.loss.Loss;
import org.trainer.core.metrics.Metric;
import org.trainer.core.nn.Module;
import org.trainer.core.train.checkpoint.Checkpointing;

/**
 * Runs training: epochs -> batches -> forward -> loss -> backward -> optimizer step, then
 * validation, with callbacks around each stage.
 *
 * <p>The arithmetic: iterations per epoch = ceil(N / batch) (floor(N / batch) when the loader drops
 * the last partial batch); total iterations = epochs x iterations per epoch; the schedule, when set,
 * is evaluated at t = iteration or t = epoch before each step or epoch, as it declares.
 *
 * <p>Per-epoch figures in the {@link History}: "loss" (the mean training loss over the epoch's
 * samples), each metric on the training batches, "val_loss" and "val_" + metric on the validation
 * loader, and "lr" (the first group's learning rate during the epoch).
 *
 * <p>Batches move to the device of the model's parameters (a model moved with
 * {@code model.to(Device.cuda(0))} trains on CPU loaders as they are): features and targets are
 * copied there at the start of each step, into memory the step's scope recycles. When the loader's
 * batches are {@linkplain BatchIterator#freshBatches() fresh} (a {@code DataLoader} over a
 * {@code TensorDataset}, without augmentation or loader threads), each batch is gathered into the
 * memory of the batch before it, so that a steady-state step allocates no memory for its data;
 * such a batch must not be kept past its step (a callback never sees it; a loss or metric that keeps
 * the targets it is given must copy them, as it must the outputs).
 *
 * <p>With {@link #checkpoints(Checkpointing)} set, fit writes checkpoints as the settings say and,
 * first of all, resumes from the newest good checkpoint in the directory: the weights, the history
 * and every figure then come out bitwise as if the run had never stopped (see
 * {@link org.trainer.core.train.checkpoint}).
 */
public final class Trainer {
    /**
     * The logger, created on first use: slf4j's set-up looks up its provider on the whole class path, and the
     * first line is logged after the first epoch, so that set-up stays out of the time to the first step.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    }

    private final List<Supplier<Metric>> metrics = new ArrayList<>();
    private final List<Callback> callbacks = new ArrayList<>();
    private LearningRateSchedule schedule;
    private boolean recordStepLosses;
    private boolean verbose = true;
    private boolean progressBar;
    private PrintStream console;
    private boolean terminal;
    private Checkpointing checkpointing;
    private StepTimer profiler;
    private int accumulation = 1;

    /**
     * Metrics to compute on training and validation data (a fresh instance for each). Returns this.
     *
     * @param suppliers each makes a new instance of one metric (e.g. {@code Accuracy::new})
     * @return this trainer
     */
    @SafeVarargs
    public final Trainer metrics(Supplier<Metric>... suppliers) {
        metrics.addAll(List.of(suppliers));
        return this;
    }

    /**
     * Adds callbacks, run in the order added. Returns this.
     *
     * @param cs the callbacks to add
     * @return this trainer
     */
    public Trainer callbacks(Callback... cs) {
        callbacks.addAll(List.of(cs));
        return this;
    }

    /**
     * Sets the learning-rate schedule, applied before each step or each epoch as the schedule declares ({@link
     * LearningRateSchedule#perIteration()}). Returns this.
     *
     * @param s the schedule, or null for a constant learning rate
     * @return this trainer
     */
    public Trainer schedule(LearningRateSchedule s) {
        this.schedule = s;
        return this;
    }

    /**
     * Keep the loss of every step in {@link History#stepLosses()}.
     *
     * @param on whether to record the loss of every step
     * @return this trainer
     */
    public Trainer recordStepLosses(boolean on) {
        this.recordStepLosses = on;
        return this;
    }

    /**
     * Whether {@link #fit} prints one line per epoch, as Keras does: the epoch's number, its time,
     * the mean training loss and metrics, then "val_loss" and the validation metrics
     * ({@code Epoch 3/20 - 0.41s - loss: 0.2345 - accuracy: 0.9312 - val_loss: 0.2710 - val_accuracy: 0.9220}).
     * On by default, to standard output (see {@link #console}); false prints nothing, the progress bar
     * included. Returns this.
     */
    public Trainer verbose(boolean on) {
        this.verbose = on;
        return this;
    }

    /**
     * A progress bar within each epoch (batch i/n, the epoch's running mean loss, samples/s and ETA),
     * which the epoch's line replaces when it ends; off by default. It is drawn only on a terminal: in
     * a log file or a CI log ({@link System#console()} absent) there are no {@code \r} frames, only the
     * epoch lines. One bar serves the whole fit. Drawing it needs the optional dependency
     * {@code me.tongfei:progressbar} on the class path; {@link #fit} checks it before the first epoch
     * when it is to draw the bar (on a terminal), and fails with {@link IllegalStateException} naming
     * the dependency when it is missing. (Not here: finding the library means searching the class path
     * jar by jar up to it, which a run without a terminal, where no bar is drawn, need not pay before
     * its first step.) Returns this.
     */
    public Trainer progressBar(boolean on) {
        this.progressBar = on;
        return this;
    }

    /**
     * Where the epoch lines and the bar go, instead of standard output; {@code terminal} says whether
     * {@code out} shows a terminal that honours carriage returns (the bar is drawn only there). Null
     * goes back to standard output, a terminal when the JVM has a console. Returns this.
     */
    public Trainer console(PrintStream out, boolean terminal) {
        this.console = out;
        this.terminal = terminal;
        return this;
    }

    /** The class path must hold the progressbar library for a bar; the error names the dependency to add. */
    static void requireProgressBarLibrary(ClassLoader loader) {
        try {
            Class.forName("me.tongfei.progressbar.ProgressBar", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("progressBar(true): the progress bar needs the optional dependency"
                    + " me.tongfei:progressbar (0.10.1), which is not on the class path: add it to the"
                    + " application's dependencies, or leave the bar off (each epoch still prints a line)", e);
        }
    }

    /**
     * Checkpoints for every {@link #fit}: written as the settings say, and resumed from, so that a
     * killed run started again continues where its newest good checkpoint left it. Null turns them
     * off. Mid-epoch checkpoints (everySteps &gt; 0) need every metric to be
     * {@link org.trainer.core.train.checkpoint.Stateful} (the built-in ones are); callbacks that are
     * Stateful are saved and restored too. Returns this.
     *
     * @param c when and where to write checkpoints, or null for none
     * @return this trainer
     */
    public Trainer checkpoints(Checkpointing c) {
        this.checkpointing = c;
        return this;
    }

    /**
     * Times every training step of {@link #fit}, split into phases (data wait, forward, backward,
     * optimizer, device sync, other), samples memory and, on a device with a clock, times a sample of
     * the steps there (e.g. {@code org.trainer.core.monitor.Profiler}, or any {@link StepTimer});
     * null turns it off. Without a profiler the loop reads no clock. Returns this.
     *
     * @param p the profiler that collects the timings, or null for none
     * @return this trainer
     */
    public Trainer profiler(StepTimer p) {
        this.profiler = p;
        return this;
    }

    /**
     * Gradient accumulation: one optimizer step every {@code k} batches (and after an epoch's last
     * batch), on the gradient of the mean loss over the samples of those batches, so that k batches
     * of B samples make the same step as one batch of kB. Each micro-batch's gradient is weighted by
     * its sample count and the sum divided by the samples of the step before it is taken. A model
     * that synchronizes gradients with other ranks ({@link GradientSynchronizer}) skips that for the
     * first k-1 micro-batches. The history's per-epoch loss stays the mean over samples; metrics and
     * callbacks see every micro-batch; a schedule's per-iteration t and checkpoints' everySteps count
     * batches, and a step checkpoint is written only after an optimizer step. Default 1 (a step per
     * batch). Returns this.
     *
     * @param k batches per optimizer step, at least 1
     * @return this trainer
     * @throws IllegalArgumentException if k &lt; 1
     */
    public Trainer accumulateGradients(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("accumulateGradients: k must be >= 1, got " + k);
        }
        this.accumulation = k;
        return this;
    }

    /**
     * Trains for {@code epochs} epochs and returns the history. {@code validation} may be null.
     * With checkpoints on, first resumes from the newest good checkpoint of their directory, if any:
     * the history returned then holds the epochs before it too, and a run whose checkpoint is past
     * {@code epochs} (or had been asked to stop) trains no further. On a mid-epoch resume, callbacks
     * see onTrainBegin and onEpochBegin of the resumed epoch, and a Stateful callback's state is
     * restored after them. A writing run holds the checkpoint directory's {@link
     * org.trainer.core.train.checkpoint.CheckpointLock} until fit returns or throws.
     *
     * @param model the model to train, updated in place
     * @param loss the loss of a batch's outputs against its targets
     * @param optimizer the optimizer over the model's parameters
     * @param train the training batches
     * @param validation the validation batches, evaluated after each epoch, or null for none
     * @param epochs the total number of epochs, at least 0 (a resumed run counts the epochs done before)
     * @return the per-epoch figures of the run
     * @throws IllegalArgumentException if {@code validation} augments its batches ({@link BatchSource#augments()})
     * @throws org.trainer.core.train.checkpoint.TrainingStoppedException when the checkpoints'
     *                                  {@link org.trainer.core.train.checkpoint.StopRequest} was made: after
     *                                  the current step, with a checkpoint of that moment written
     * @throws IllegalStateException    when the progress bar is to be drawn and its library is not on the
     *                                  class path ({@link #progressBar}), when another writer holds the
     *                                  checkpoint directory, or when it holds
     *                                  checkpoints and every one is damaged (listing each and why) under
     *                                  {@link org.trainer.core.train.checkpoint.Checkpointing.AllDamaged#FAIL}
     */
    public History fit(Module model, Loss loss, Optimizer optimizer, BatchSource train, BatchSource validation,
                       int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        }
        refuseAugmenting("fit", "validation", validation);
        History history = new History();
        List<Callback> all = new ArrayList<>(callbacks);
        ConsoleOutput output = consoleOutput();
        if (output != null) {
            all.add(0, output); // first, so that the epoch's line comes before what other callbacks print
        }
        TrainingContext ctx = new TrainingContext(model, optimizer, history, epochs, train.batchesPerEpoch());
        MemoryScope.Pool pool = new MemoryScope.Pool();
        CheckpointRun run = checkpointing == null ? null
                : new CheckpointRun(checkpointing, model, optimizer, loss, train, epochs, callbacks, fresh(), schedule);
        try {
            EpochState resumed = run == null ? null : run.resume(ctx, this::fresh);
            if (profiler != null) {
                profiler.begin(model.parameters().isEmpty() ? Backends.cpu() : model.parameters().get(0).value().backend());
            }
            all.forEach(c -> c.onTrainBegin(ctx));
            if (run != null && resumed == null) {
                run.restoreCallbacks();
            }
            // A stop requested mid-epoch before the checkpoint still lets that epoch finish, as it would have.
            for (int epoch = ctx.epoch(); epoch < epochs && (resumed != null || !ctx.stopRequested()); epoch++) {
                ctx.setEpoch(epoch);
                if (schedule != null && !schedule.perIteration()) {
                    optimizer.applySchedule(schedule, epoch);
                }
                double lr = optimizer.groups().isEmpty() ? Double.NaN : optimizer.groups().get(0).learningRate();
                EpochState state = resumed != null ? resumed : new EpochState(fresh(), lr);
                resumed = null;
                for (Callback c : all) {
                    c.onEpochBegin(ctx, epoch);
                }
                if (run != null) {
                    run.restoreCallbacks();
                }
                Map<String, Double> logs = trainEpoch(model, loss, optimizer, train, ctx, all, pool, state, run);
                if (validation != null) {
                    evaluate(model, loss, validation, pool).forEach((k, v) -> logs.put("val_" + k, v));
                }
                logs.put("lr", state.lr);
                history.addEpoch(logs);
                Log.LOG.debug("epoch {}/{}: {}", epoch + 1, epochs, logs);
                for (Callback c : all) {
                    c.onEpochEnd(ctx, epoch, logs);
                }
                if (run != null) {
                    run.afterEpoch(ctx);
                    run.stopIfRequested(ctx, null);
                }
            }
            all.forEach(c -> c.onTrainEnd(ctx));
            return history;
        } finally {
            if (output != null) {
                output.close();
            }
            if (run != null) {
                run.close(); // the directory's writer lock, held for the whole fit
            }
        }
    }

    /** The epoch lines (and bar) that this trainer's settings ask for; null when silent. */
    private ConsoleOutput consoleOutput() {
        if (!verbose) {
            return null;
        }
        PrintStream out = console != null ? console : System.out;
        boolean onTerminal = console != null ? terminal : System.console() != null;
        if (progressBar && onTerminal) {
            requireProgressBarLibrary(Trainer.class.getClassLoader());
        }
        return new ConsoleOutput(out, progressBar && onTerminal);
    }

    private Map<String, Double> trainEpoch(Module model, Loss loss, Optimizer optimizer, BatchSource train,
                                           TrainingContext ctx, List<Callback> all, MemoryScope.Pool pool,
                                           EpochState state, CheckpointRun run) {
        model.train();
        Device device = deviceOf(model);
        List<Metric> ms = state.metrics;
        int batch = state.batch;
        int k = accumulation;
        long stepSamples = 0;
        try (BatchIterator it = batch == 0 ? train.iterator(ctx.epoch()) : train.iterator(ctx.epoch(), batch)) {
            long t = profiler == null ? 0 : profiler.beginStep();
            while (it.hasNext() && !ctx.stopRequested()) {
                // The batch is built in memory that the next batch reuses, when its loader allows it.
                try (BatchMemory memory = BatchMemory.open(it, pool)) {
                    Batch b = memory.next();
                    boolean stepNow = k == 1 || (batch + 1) % k == 0 || !it.hasNext();
                    t = lap(Phase.DATA, t);
                    for (Callback c : all) {
                        c.onBatchBegin(ctx, batch);
                    }
                    if (schedule != null && schedule.perIteration()) {
                        optimizer.applySchedule(schedule, ctx.iteration());
                    }
                    double value;
                    // Everything the step computes is dead once the loss and the metrics are read.
                    try (MemoryScope step = MemoryScope.open(pool)) {
                        t = lap(Phase.OTHER, t);
                        Tensor x = b.features().to(device);
                        Tensor y = b.targets().to(device);
                        t = lap(Phase.DATA, t);
                        Tensor out = model.apply(x);
                        Tensor l = loss.compute(out, y);
                        t = lap(Phase.FORWARD, t);
                        if (k == 1) {
                            optimizer.zeroGrad();
                            l.backward();
                        } else {
                            if (batch % k == 0) {
                                optimizer.zeroGrad();
                            }
                            backwardWeighted(model, l, b.size(), stepNow);
                            stepSamples += b.size();
                        }
                        value = l.item();
                        t = lap(Phase.BACKWARD, t);
                        try (GradMode off = Tensor.noGrad()) {
                            Tensor detached = out.detach();
                            ms.forEach(m -> m.update(detached, y));
                        }
                    }
                    t = lap(Phase.OTHER, t);
                    if (stepNow) {
                        if (k > 1) {
                            scaleGradients(optimizer, 1.0 / stepSamples);
                            stepSamples = 0;
                        }
                        optimizer.step();
                    }
                    if (profiler != null) {
                        t = lap(Phase.OPTIMIZER, t);
                        profiler.synchronize();
                        t = lap(Phase.SYNC, t);
                    }
                    int n = b.size();
                    state.lossSum += value * n;
                    state.seen += n;
                    if (recordStepLosses) {
                        ctx.history().addStepLoss(value);
                    }
                    ctx.advance(n);
                    for (Callback c : all) {
                        c.onBatchEnd(ctx, batch, value);
                    }
                    batch++;
                    state.batch = batch;
                    if (run != null && stepNow) {
                        run.afterBatch(ctx, state);
                        run.stopIfRequested(ctx, state);
                    }
                    if (profiler != null) {
                        t = lap(Phase.OTHER, t);
                        profiler.endStep(n);
                        t = profiler.beginStep();
                    }
                }
            }
        } finally {
            // The step begun after the last one never happens (or this one failed).
            if (profiler != null) {
                profiler.abandonStep();
            }
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", state.seen == 0 ? Double.NaN : state.lossSum / state.seen);
        ms.forEach(m -> logs.put(m.name(), m.compute()));
        return logs;
    }

    /**
     * Backpropagates {@code n} times the micro-batch's mean loss, so that the accumulated gradient is
     * the sum over samples; outside the step's last micro-batch without synchronizing across ranks.
     */
    private static void backwardWeighted(Module model, Tensor loss, int n, boolean last) {
        Tensor seed = Tensor.full(loss.device(), loss.dtype(), n, loss.shape());
        if (!last && model instanceof GradientSynchronizer sync) {
            try (GradientSynchronizer.Scope local = sync.noSync()) {
                loss.backward(seed);
            }
        } else {
            loss.backward(seed);
        }
    }

    /** Multiplies every gradient the optimizer will use by {@code factor}, in place. */
    private static void scaleGradients(Optimizer optimizer, double factor) {
        for (ParameterGroup g : optimizer.groups()) {
            for (org.trainer.core.nn.Parameter p : g.parameters()) {
                Tensor grad = p.isTrainable() ? p.grad() : null;
                if (grad != null) {
                    grad.backend().unary(org.trainer.core.backend.UnaryOp.SCALE, factor, grad.storage(), grad.storage());
                }
            }
        }
    }

    /** Adds the time since {@code since} to {@code phase} of the profiled step and returns now; 0 unprofiled. */
    private long lap(Phase phase, long since) {
        if (profiler == null) {
            return 0;
        }
        long now = System.nanoTime();
        profiler.record(phase, now - since);
        return now;
    }

    /**
     * The mean loss per sample and the metrics over a loader, in evaluation mode and without
     * recording gradients; the model's mode is restored afterwards.
     *
     * @param model the model to evaluate
     * @param loss the loss to average
     * @param data the batches to evaluate on
     * @return "loss" and each metric's figure, by name
     * @throws IllegalArgumentException if {@code data} augments its batches ({@link BatchSource#augments()})
     */
    public Map<String, Double> evaluate(Module model, Loss loss, BatchSource data) {
        refuseAugmenting("evaluate", "data", data);
        return evaluate(model, loss, data, new MemoryScope.Pool());
    }

    private Map<String, Double> evaluate(Module model, Loss loss, BatchSource data, MemoryScope.Pool pool) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Device device = deviceOf(model);
        List<Metric> ms = fresh();
        double lossSum = 0;
        long seen = 0;
        try (GradMode off = Tensor.noGrad(); BatchIterator it = data.iterator(0)) {
            while (it.hasNext()) {
                try (BatchMemory memory = BatchMemory.open(it, pool)) {
                    Batch b = memory.next();
                    try (MemoryScope step = MemoryScope.open(pool)) {
                        Tensor y = b.targets().to(device);
                        Tensor out = model.apply(b.features().to(device));
                        lossSum += loss.compute(out, y).item() * b.size();
                        ms.forEach(m -> m.update(out, y));
                    }
                    seen += b.size();
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", seen == 0 ? Double.NaN : lossSum / seen);
        ms.forEach(m -> logs.put(m.name(), m.compute()));
        return logs;
    }

    /**
     * The model's outputs for every batch of a loader, concatenated along axis 0, in evaluation mode,
     * on the device of the model's parameters. Thread-safety as for {@link #predict(Module, Tensor)}.
     *
     * @param model the model to run
     * @param data the batches to run it on (their targets are not used)
     * @return the outputs of all batches, [N, ...] for the loader's N samples
     * @throws IllegalArgumentException if {@code data} augments its batches ({@link BatchSource#augments()})
     */
    public static Tensor predict(Module model, BatchSource data) {
        refuseAugmenting("predict", "data", data);
        boolean wasTraining = model.isTraining();
        if (wasTraining) {
            model.eval();
        }
        Device device = deviceOf(model);
        List<Tensor> outs = new ArrayList<>();
        try (GradMode off = Tensor.noGrad(); BatchIterator it = data.iterator(0)) {
            while (it.hasNext()) {
                outs.add(model.apply(it.next().features().to(device)));
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        if (outs.isEmpty()) {
            throw new IllegalArgumentException("predict: the loader yielded no batches");
        }
        return outs.size() == 1 ? outs.get(0) : Tensor.concat(0, outs.toArray(new Tensor[0]));
    }

    /**
     * The model's output for {@code features} (a batch without targets, e.g. [N, 64] for the digits),
     * in evaluation mode (dropout off, batch-norm running statistics) and without recording gradients,
     * on the device of the model's parameters (the features are copied there). One forward pass: for
     * more samples than fit in memory at once, use {@link #predict(Module, BatchSource)}. A model in
     * training mode is switched to evaluation mode for the call and back afterwards.
     *
     * <p>Thread-safety: a trained model may be shared by threads for inference. Put it in evaluation
     * mode once ({@code model.eval()}) before sharing it; predict then writes nothing to the model,
     * and concurrent calls compute what one thread would. (On a model in training mode, predict
     * switches the mode, a write that concurrent calls would race on.) Training the model while others
     * predict with it is not safe.
     */
    public static Tensor predict(Module model, Tensor features) {
        boolean wasTraining = model.isTraining();
        if (wasTraining) {
            model.eval();
        }
        try (GradMode off = Tensor.noGrad()) {
            return model.apply(features.to(deviceOf(model)));
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
    }

    /** Where the model's parameters live (the first one's device); the CPU for a model without any. */
    private static Device deviceOf(Module model) {
        return model.parameters().isEmpty() ? Device.CPU : model.parameters().get(0).value().device();
    }

    /** Evaluation figures must come from the data as it is, never from randomly altered samples. */
    private static void refuseAugmenting(String method, String argument, BatchSource source) {
        if (source != null && source.augments()) {
            throw new IllegalArgumentException(method + ": " + argument + " augments its batches (" + source
                    + "); evaluation needs the data as it is: build a loader without augment(...) or"
                    + " augmentBatches(...) for it");
        }
    }

    private List<Metric> fresh() {
        List<Metric> ms = new ArrayList<>();
        metrics.forEach(s -> ms.add(s.get()));
        return ms;
    }
}
