package org.trainer.distributed.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Device;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.BatchSource;
import org.trainer.core.loss.Loss;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.distributed.Collective;

/**
 * Pipeline model parallelism (GPipe): a model cut into S consecutive stages, stage s held and run by
 * rank s of a {@link Collective}, each mini-batch run as micro-batches so that the stages work at
 * the same time on different micro-batches.
 *
 * <p><b>One training step</b> ({@link #step}), with the mini-batch of n samples split into k =
 * min(n, M) micro-batches of sizes n_1..n_k that differ by at most one (the larger first):
 * <ol>
 * <li>every rank zeroes its stage's gradients;</li>
 * <li>forward, j = 1..k: stage 0 runs its modules on micro-batch j's features; stage s &gt; 0
 * receives the activation a_{s-1,j} from stage s-1, marks it as a leaf that requires a gradient,
 * and runs its modules on it; every stage but the last sends its output to the next; the last
 * stage computes the micro-batch's loss L_j (a mean over its n_j samples);</li>
 * <li>backward, j = k..1 (all forwards first, then all backwards in reverse order: the fill-drain
 * schedule of GPipe): the last stage backpropagates (n_j / n) L_j; stage s &lt; S-1 receives
 * dL/d(its output of micro-batch j) from stage s+1 and backpropagates it through its output;
 * every stage s &gt; 0 sends the gradient of its input leaf to stage s-1;</li>
 * <li>every rank applies its optimizer to its own stage's parameters;</li>
 * <li>the last stage broadcasts the mini-batch loss sum_j (n_j / n) L_j, which every rank returns.</li>
 * </ol>
 *
 * <p><b>Why the result is the unsplit model's.</b> For a loss that is a mean over samples,
 * L = (1/n) sum_i l_i = sum_j (n_j / n) L_j with L_j = (1/n_j) sum_{i in j} l_i. Gradients are linear,
 * so dL/dw = sum_j (n_j / n) dL_j/dw: the gradients that each stage's parameters accumulate over the
 * k backward passes sum to exactly the mini-batch's gradient, and the chain rule across the cut is
 * what the exchanged activation gradients carry. The optimizer therefore sees the same gradient as
 * in unsplit training, up to the rounding of the different summation order (in float64, parameters
 * agree to 1e-13 relative after 20 steps in the tests, which allow 1e-10).
 * Layers that couple the samples of a batch break this: batch normalisation normalises each
 * micro-batch with its own statistics (as GPipe does), and dropout draws one mask per micro-batch
 * (its seed advances once per call), so with k &gt; 1 such models train correctly but not bitwise
 * like the unsplit model; with k = 1 they do. A loss whose mean is not over equally weighted
 * samples (a class-weighted cross-entropy normalised by the weights) is not a sum of (n_j / n) L_j:
 * the step then trains on a slightly different weighting.
 *
 * <p><b>Shapes.</b> Each activation is preceded by a small float64 header (dtype, micro-batch index
 * and count, mini-batch size, shape; at most 8 axes), so a stage needs no
 * knowledge of the others' modules, and uneven micro-batches need no agreement in advance. The
 * gradients that flow back have the activation's shape and dtype and need no header. A stage
 * whose modules cannot take the activation it receives fails with an
 * {@link IllegalArgumentException} that names the stage, the activation's shape and the sender.
 *
 * <p><b>Memory.</b> A step runs in one {@link MemoryScope} per rank, closed after the last backward
 * pass: the activations of all k micro-batches stay alive until their backward pass (GPipe's
 * footprint: one mini-batch's activations per stage, in pieces), and the next step reuses their
 * memory. Parameter gradients and optimizer state outlive the scope as they do in
 * {@link org.trainer.core.train.Trainer}. A pipeline is driven by one thread (its pool is not
 * thread-safe); it is not safe to share one between threads.
 *
 * <p><b>Failures.</b> When a step, prediction or fit fails on a rank (a bad argument, a module's
 * error, a lost peer), the pipeline closes its collective before rethrowing, so that the other ranks,
 * which would otherwise wait for its messages until the collective's timeout, fail at once with a
 * {@link org.trainer.distributed.CollectiveException} naming it. The collective cannot be used
 * afterwards, as after any collective failure.
 *
 * <p>Every rank must make the same calls in the same order ({@code step}, {@code predict},
 * {@code fit}), each with the same microBatches; only stage 0 reads features and only the last
 * stage reads targets and the loss. {@link LocalPipeline} runs all stages on threads of one JVM.
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Collective collective;
    private final int stage;
    private final int stages;
    private final Module module;
    private final Device device;
    private final int microBatches;
    private final String name;
    private final MemoryScope.Pool pool = new MemoryScope.Pool();

    private Pipeline(Collective collective, Module module, Device device, int microBatches, String name) {
        this.collective = collective;
        this.stage = collective.rank();
        this.stages = collective.worldSize();
        this.module = module;
        this.device = device;
        this.microBatches = microBatches;
        this.name = name;
    }

    /**
     * A builder for this rank's pipeline stage; rank s of {@code collective} runs stage s.
     *
     * @param collective the stages' collective
     * @return a builder
     */
    public static Builder builder(Collective collective) {
        return new Builder(collective);
    }

    /**
     * The modules this rank runs: give their {@code parameters()} to this rank's optimizer.
     *
     * @return this rank's modules
     */
    public Module stage() {
        return module;
    }

    /**
     * This rank's stage index, 0 to {@link #stages()} - 1 (the collective's rank).
     *
     * @return the stage index
     */
    public int stageIndex() {
        return stage;
    }

    /**
     * The number of stages S (the collective's world size).
     *
     * @return S
     */
    public int stages() {
        return stages;
    }

    /**
     * The most micro-batches M a mini-batch is split into.
     *
     * @return M
     */
    public int microBatches() {
        return microBatches;
    }

    /**
     * Where this stage's modules and activations live.
     *
     * @return the device
     */
    public Device device() {
        return device;
    }

    /**
     * Whether this rank holds the first stage (the only one that reads features).
     *
     * @return whether this is the first stage
     */
    public boolean isFirst() {
        return stage == 0;
    }

    /**
     * Whether this rank holds the last stage (the only one that reads targets and computes the loss).
     *
     * @return whether this is the last stage
     */
    public boolean isLast() {
        return stage == stages - 1;
    }

    /**
     * One training step on a mini-batch (see the class documentation for the schedule and the math):
     * zeroes this stage's gradients, runs the forward and backward passes of every micro-batch,
     * applies {@code optimizer} (once) and returns the mini-batch's mean loss, the same on every rank.
     * Modifies this stage's parameters, their gradients, the optimizer's state and the modules'
     * state (running statistics, dropout counters); puts the stage in training mode.
     *
     * @param features the mini-batch's inputs, [n, ...]; read on stage 0 only (may be null elsewhere)
     * @param targets  the mini-batch's targets, n rows; read on the last stage only (may be null elsewhere)
     * @param loss     a mean-reduced loss; read on the last stage only (may be null elsewhere)
     * @param optimizer this rank's optimizer over {@link #stage()}'s parameters
     * @return the mini-batch's loss
     * @throws IllegalArgumentException if a required argument is missing or the shapes disagree
     * @throws org.trainer.distributed.CollectiveException if another rank failed or was lost
     */
    public double step(Tensor features, Tensor targets, Loss loss, Optimizer optimizer) {
        try {
            return trainStep(features, targets, loss, optimizer);
        } catch (RuntimeException | Error e) {
            throw abort("step", e);
        }
    }

    private double trainStep(Tensor features, Tensor targets, Loss loss, Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("step: optimizer must not be null on " + name
                    + " (each rank steps its own stage's parameters)");
        }
        if (isFirst()) {
            requireBatch("step", "features", features);
        }
        if (isLast()) {
            if (loss == null) {
                throw new IllegalArgumentException("step: loss must not be null on " + name + " (the last stage)");
            }
            requireBatch("step", "targets", targets);
        }
        module.train();
        optimizer.zeroGrad();
        double value = 0;
        try (MemoryScope scope = MemoryScope.open(pool)) {
            MicroBatches split = null;
            if (isFirst()) {
                split = MicroBatches.split(features.size(0), microBatches);
                if (isLast()) {
                    checkTargets(targets, split.batchSize());
                }
            }
            List<Tensor> inputs = new ArrayList<>();
            List<Tensor> outputs = new ArrayList<>();
            for (int j = 0; split == null || j < split.count(); j++) {
                Tensor x;
                if (isFirst()) {
                    x = features.narrow(0, split.offsets()[j], split.sizes()[j]).to(device);
                } else {
                    StageLink.Activation a = StageLink.recvActivation(collective, stage - 1, j, name);
                    if (split == null) {
                        split = MicroBatches.split(a.batchSize(), a.microBatches());
                        if (isLast()) {
                            checkTargets(targets, split.batchSize());
                        }
                    }
                    x = a.value().to(device).requiresGrad(true);
                }
                inputs.add(x);
                Tensor out = forward(x);
                if (isLast()) {
                    Tensor y = targets.narrow(0, split.offsets()[j], split.sizes()[j]).to(device);
                    Tensor l = loss.compute(out, y);
                    if (l.numel() != 1) {
                        throw new IllegalArgumentException("step: the loss must reduce each micro-batch to one value"
                                + " (a mean), got shape " + Arrays.toString(l.shape()) + " from " + loss);
                    }
                    value += split.weight(j) * l.item();
                    outputs.add(l);
                } else {
                    StageLink.sendActivation(collective, stage + 1, j, split.count(), split.batchSize(), out, name);
                    outputs.add(out);
                }
            }
            for (int j = split.count() - 1; j >= 0; j--) {
                Tensor out = outputs.set(j, null);
                if (isLast()) {
                    // d(sum_j w_j L_j)/dL_j = w_j: the seed of micro-batch j's backward pass.
                    out.backward(Tensor.full(out.device(), out.dtype(), split.weight(j), out.shape()));
                } else {
                    Tensor g = StageLink.recvValues(collective, stage + 1, out.dtype(), out.shape()).to(out.device());
                    if (out.requiresGrad()) {
                        out.backward(g);
                    }
                }
                if (!isFirst()) {
                    Tensor x = inputs.get(j);
                    Tensor gx = x.grad() != null ? x.grad() : Tensor.zeros(x.backend(), x.dtype(), x.shape());
                    StageLink.sendValues(collective, stage - 1, gx);
                }
                inputs.set(j, null);
            }
        }
        optimizer.step();
        return shareLoss(value);
    }

    /**
     * The last stage's output for {@code features}, in evaluation mode and without recording
     * gradients, run as micro-batches through the stages and concatenated along axis 0: returned
     * on the last rank, null on the others, once every stage is done. Restores the stages' training
     * mode afterwards.
     *
     * @param features the inputs, [n, ...]; read on stage 0 only (may be null elsewhere)
     * @return the output on the last rank, null elsewhere
     */
    public Tensor predict(Tensor features) {
        try {
            return runPredict(features);
        } catch (RuntimeException | Error e) {
            throw abort("predict", e);
        }
    }

    private Tensor runPredict(Tensor features) {
        if (isFirst()) {
            requireBatch("predict", "features", features);
        }
        boolean wasTraining = module.isTraining();
        module.eval();
        List<Tensor> outs = new ArrayList<>();
        try (GradMode off = Tensor.noGrad()) {
            MicroBatches split = isFirst() ? MicroBatches.split(features.size(0), microBatches) : null;
            for (int j = 0; split == null || j < split.count(); j++) {
                Tensor x;
                if (isFirst()) {
                    x = features.narrow(0, split.offsets()[j], split.sizes()[j]).to(device);
                } else {
                    StageLink.Activation a = StageLink.recvActivation(collective, stage - 1, j, name);
                    if (split == null) {
                        split = MicroBatches.split(a.batchSize(), a.microBatches());
                    }
                    x = a.value().to(device);
                }
                Tensor out = forward(x);
                if (isLast()) {
                    outs.add(out);
                } else {
                    StageLink.sendActivation(collective, stage + 1, j, split.count(), split.batchSize(), out, name);
                }
            }
        } finally {
            if (wasTraining) {
                module.train();
            }
        }
        // A rank may close its collective once predict returns: let none return before the last stage
        // has taken every activation.
        collective.barrier();
        if (!isLast()) {
            return null;
        }
        return outs.size() == 1 ? outs.get(0) : Tensor.concat(0, outs.toArray(new Tensor[0]));
    }

    /**
     * Trains for {@code epochs} epochs over {@code data}, one {@link #step} per batch, and returns
     * each epoch's mean training loss per sample (the same on every rank). Stage 0 reads the batches'
     * features and the last stage their targets, so both must pass sources that yield the same
     * batches in the same order (a loader built the same way with the same seed); the stages in
     * between may pass null. Stage 0's source decides how many batches an epoch has; a last stage
     * whose source ends earlier or later is refused.
     *
     * @param data the batches
     * @param loss the loss, used on the last stage
     * @param optimizer this stage's optimizer
     * @param epochs the number of epochs
     * @return the mean loss of each epoch
     * @throws IllegalArgumentException if epochs &lt; 0 or a required source is missing or disagrees
     */
    public double[] fit(BatchSource data, Loss loss, Optimizer optimizer, int epochs) {
        try {
            return runFit(data, loss, optimizer, epochs);
        } catch (RuntimeException | Error e) {
            throw abort("fit", e);
        }
    }

    private double[] runFit(BatchSource data, Loss loss, Optimizer optimizer, int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        }
        if ((isFirst() || isLast()) && data == null) {
            throw new IllegalArgumentException("fit: data must not be null on " + name
                    + " (stage 0 reads the features, the last stage the targets)");
        }
        double[] losses = new double[epochs];
        for (int epoch = 0; epoch < epochs; epoch++) {
            double sum = 0;
            long seen = 0;
            try (BatchIterator it = isFirst() || isLast() ? data.iterator(epoch) : null) {
                for (int b = 0; ; b++) {
                    // Stage 0's source decides whether another batch follows, and how large it is.
                    double[] next = new double[2];
                    Batch batch = null;
                    if (isFirst() && it.hasNext()) {
                        batch = it.next();
                        next[0] = 1;
                        next[1] = batch.size();
                    }
                    collective.broadcast(next, 0, 2, 0);
                    if (isLast() && !isFirst()) {
                        boolean has = it.hasNext();
                        if (has != (next[0] == 1)) {
                            throw new IllegalArgumentException("fit: epoch " + epoch + " of the last stage's data "
                                    + (has ? "has more than " : "ends after ") + b + " batches, stage 0's "
                                    + (has ? "ends there" : "has more") + ": both must yield the same batches");
                        }
                        batch = has ? it.next() : null;
                    }
                    if (next[0] == 0) {
                        break;
                    }
                    double l = trainStep(batch == null ? null : batch.features(),
                            batch == null ? null : batch.targets(), loss, optimizer);
                    sum += l * next[1];
                    seen += (long) next[1];
                }
            }
            losses[epoch] = seen == 0 ? Double.NaN : sum / seen;
            LOG.debug("{}: epoch {}/{}: loss {}", name, epoch + 1, epochs, losses[epoch]);
        }
        return losses;
    }

    /** Runs this stage's modules, naming the stage and the activation when they cannot take it. */
    private Tensor forward(Tensor x) {
        try {
            return module.forward(x);
        } catch (IllegalArgumentException | IllegalStateException e) {
            String from = isFirst() ? "the features" : "the activation stage " + (stage - 1) + " sent";
            throw new IllegalArgumentException("Pipeline: " + name + " cannot take " + from + " of shape "
                    + Arrays.toString(x.shape()) + " (" + x.dtype() + "): " + e.getMessage(), e);
        }
    }

    /** Every rank returns the last stage's loss, bit for bit. */
    private double shareLoss(double value) {
        double[] v = {value};
        collective.broadcast(v, 0, 1, stages - 1);
        return v[0];
    }

    private void checkTargets(Tensor targets, int batchSize) {
        if (targets.size(0) != batchSize) {
            throw new IllegalArgumentException("step: targets have " + targets.size(0) + " rows (shape "
                    + Arrays.toString(targets.shape()) + "), but stage 0's mini-batch has " + batchSize + " samples");
        }
    }

    private void requireBatch(String method, String argument, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(method + ": " + argument + " must not be null on " + name);
        }
        if (t.rank() < 1 || t.size(0) < 1) {
            throw new IllegalArgumentException(method + ": " + argument + " must have at least one row (axis 0 is"
                    + " the batch), got shape " + Arrays.toString(t.shape()) + " on " + name);
        }
    }

    /** Closes the collective so that the other ranks fail now instead of at their timeout, and returns e. */
    private RuntimeException abort(String method, Throwable e) {
        LOG.warn("{}: {} failed ({}); closing the collective so that the other stages stop too", name, method,
                e.toString());
        try {
            collective.close();
        } catch (RuntimeException closing) {
            e.addSuppressed(closing);
        }
        if (e instanceof Error err) {
            throw err;
        }
        return (RuntimeException) e;
    }

    @Override
    public String toString() {
        return "Pipeline(" + name + ", microBatches=" + microBatches + ", device=" + device + ")";
    }

    /**
     * Configures one rank's pipeline: which modules it runs (a slice of the whole model, or its own
     * modules), how many micro-batches, on which device.
     */
    public static final class Builder {
        private final Collective collective;
        private Sequential model;
        private int[] splitPoints;
        private Module stageModule;
        private int microBatches = 1;
        private Device device;

        private Builder(Collective collective) {
            this.collective = Objects.requireNonNull(collective, "collective");
        }

        /**
         * The whole model and where to cut it: stage s runs the children [p_{s-1}, p_s) of
         * {@code model}, with p_{-1} = 0 and p_{S-1} = model.size(). Every rank passes the same
         * model structure and split points; each runs only its slice. Returns this.
         *
         * @param model the whole model
         * @param splitPoints S - 1 strictly increasing indices into the children, each in [1, model.size() - 1]
         * @return this builder
         */
        public Builder model(Sequential model, int... splitPoints) {
            this.model = Objects.requireNonNull(model, "model");
            this.splitPoints = Objects.requireNonNull(splitPoints, "splitPoints").clone();
            this.stageModule = null;
            return this;
        }

        /**
         * This rank's modules only, when each rank builds just its own part of the model (so that no
         * rank holds the whole model in memory). Returns this.
         *
         * @param modules this rank's modules
         * @return this builder
         */
        public Builder stage(Module modules) {
            this.stageModule = Objects.requireNonNull(modules, "modules");
            this.model = null;
            this.splitPoints = null;
            return this;
        }

        /**
         * The most micro-batches M per mini-batch (default 1: no pipelining, only the split). Returns this.
         *
         * @param m micro-batches per mini-batch, at least 1
         * @return this builder
         */
        public Builder microBatches(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("Pipeline.Builder: microBatches must be >= 1, got " + m);
            }
            this.microBatches = m;
            return this;
        }

        /**
         * The device this rank's stage runs on: {@link #build()} moves its modules there (default:
         * where its first parameter is, the CPU for a stage without parameters). Returns this.
         *
         * @param d the device
         * @return this builder
         */
        public Builder device(Device d) {
            this.device = Objects.requireNonNull(d, "device");
            return this;
        }

        /**
         * Builds this rank's pipeline and moves its stage to the device. Communicates with no other
         * rank. Build the optimizer afterwards, over {@link Pipeline#stage()}'s parameters.
         *
         * @return the pipeline
         * @throws IllegalArgumentException if the split points are not strictly increasing, leave a
         *         stage empty, or make a number of stages other than the collective's world size
         * @throws IllegalStateException if neither {@link #model} nor {@link #stage} was given
         */
        public Pipeline build() {
            int rank = collective.rank();
            int world = collective.worldSize();
            Module m;
            String name;
            if (model != null) {
                checkSplitPoints(model.size(), splitPoints, world);
                int from = rank == 0 ? 0 : splitPoints[rank - 1];
                int to = rank == world - 1 ? model.size() : splitPoints[rank];
                m = new StageModule(model, from, to);
                name = "stage " + rank + " of " + world + " (rank " + rank + ", modules [" + from + ", " + to + "))";
            } else if (stageModule != null) {
                m = stageModule;
                name = "stage " + rank + " of " + world + " (rank " + rank + ")";
            } else {
                throw new IllegalStateException("Pipeline.Builder: give the model and its splitPoints (model(...)) or"
                        + " this rank's modules (stage(...)) before build()");
            }
            Device d = device;
            if (d == null) {
                d = m.parameters().isEmpty() ? Device.CPU : m.parameters().get(0).value().device();
            }
            m.to(d);
            return new Pipeline(collective, m, d, microBatches, name);
        }

        static void checkSplitPoints(int modules, int[] splitPoints, int world) {
            if (splitPoints.length + 1 != world) {
                throw new IllegalArgumentException("Pipeline.Builder: splitPoints " + Arrays.toString(splitPoints)
                        + " make " + (splitPoints.length + 1) + " stages, but the collective has " + world
                        + " ranks (one stage per rank: expected " + (world - 1) + " split points)");
            }
            for (int i = 0; i < splitPoints.length; i++) {
                int p = splitPoints[i];
                if (p < 1 || p > modules - 1) {
                    throw new IllegalArgumentException("Pipeline.Builder: splitPoints[" + i + "] = " + p
                            + " is out of range: a Sequential of " + modules + " modules is cut at indices in [1, "
                            + (modules - 1) + "] (every stage needs at least one module)");
                }
                if (i > 0 && p <= splitPoints[i - 1]) {
                    throw new IllegalArgumentException("Pipeline.Builder: splitPoints must be strictly increasing,"
                            + " got " + Arrays.toString(splitPoints) + " (splitPoints[" + i + "] = " + p
                            + " <= splitPoints[" + (i - 1) + "] = " + splitPoints[i - 1] + ")");
                }
            }
        }
    }
}
