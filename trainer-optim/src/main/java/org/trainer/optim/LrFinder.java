package org.trainer.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleFunction;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.Loss;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * The learning-rate range test (Smith 2017; fastai's lr_find): train for {@code steps} batches
 * while the rate grows exponentially from startLr to endLr,
 * <pre>
 *   lr_i = startLr * (endLr / startLr)^(i / (steps - 1)),   i = 0 .. steps - 1
 * </pre>
 * one batch each (cycling through the loader's epochs when it runs out), and record the loss of
 * each batch and its bias-corrected exponential moving average
 * {@code s_i = avg_i / (1 - beta^(i+1))}, {@code avg_i = beta avg_(i-1) + (1 - beta) loss_i}. The
 * test stops early when the loss diverges: a NaN or infinite loss, or s_i &gt; divergence * min(s).
 * The {@link LrFinderResult#suggestion() suggestion} is the rate where the smoothed loss falls
 * fastest against log(lr).
 *
 * <p>The test leaves no trace: the model's parameters and buffers are restored bitwise, its
 * gradients zeroed and its training/evaluation mode restored. The optimizer is built by the given
 * factory for the test and thrown away afterwards, so the optimizer you train with keeps its state
 * (and the same factory builds it with the suggestion). Every group's rate is set to lr_i.
 */
public final class LrFinder {
    private final double startLr;
    private final double endLr;
    private final int steps;
    private double beta = 0.95;
    private double divergence = 4;
    private int skipStart = 10;
    private int skipEnd = 5;

    /**
     * @param startLr the first rate, finite and > 0
     * @param endLr   the last rate, finite and > startLr
     * @param steps   number of batches (and rates), >= 2
     */
    public LrFinder(double startLr, double endLr, int steps) {
        ScheduleChecks.positive("LrFinder", "startLr", startLr);
        ScheduleChecks.positive("LrFinder", "endLr", endLr);
        if (!(endLr > startLr)) {
            throw new IllegalArgumentException("LrFinder: endLr must be greater than startLr, got startLr=" + startLr
                    + ", endLr=" + endLr);
        }
        ScheduleChecks.atLeast("LrFinder", "steps", steps, 2);
        this.startLr = startLr;
        this.endLr = endLr;
        this.steps = steps;
    }

    /** 1e-7 to 10 over 100 batches, fastai's default range. */
    public LrFinder() {
        this(1e-7, 10, 100);
    }

    /**
     * The moving average's weight of the past, in [0, 1); 0.95 by default (torch-lr-finder's; fastai
     * uses 0.98, whose longer memory lags the curve and moves the suggestion to larger rates on short
     * runs); 0 turns smoothing off. Returns this.
     *
     * @param b the weight of the past
     * @return this finder
     */
    public LrFinder smoothing(double b) {
        if (!(b >= 0 && b < 1)) {
            throw new IllegalArgumentException("LrFinder: smoothing must be in [0, 1), got " + b);
        }
        this.beta = b;
        return this;
    }

    /**
     * Stop once the smoothed loss exceeds this multiple (finite, > 1) of its minimum; 4 by default. Returns this.
     *
     * @param factor the multiple of the minimum
     * @return this finder
     */
    public LrFinder divergence(double factor) {
        if (!(factor > 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("LrFinder: divergence must be a finite value > 1, got " + factor);
        }
        this.divergence = factor;
        return this;
    }

    /**
     * Points left out of the suggestion at the start (where the average is still warming up) and at
     * the end (the divergence); 10 and 5 by default, each >= 0. Returns this.
     *
     * @param start points skipped at the start
     * @param end points skipped at the end
     * @return this finder
     */
    public LrFinder skip(int start, int end) {
        ScheduleChecks.atLeast("LrFinder", "skipStart", start, 0);
        ScheduleChecks.atLeast("LrFinder", "skipEnd", end, 0);
        this.skipStart = start;
        this.skipEnd = end;
        return this;
    }

    /**
     * The rate of step i.
     *
     * @param i the step, from 0
     * @return the rate
     */
    public double learningRate(int i) {
        return startLr * Math.pow(endLr / startLr, (double) i / (steps - 1));
    }

    /**
     * Runs the range test.
     *
     * @param model     trained in place during the test, then restored
     * @param loss      the training loss
     * @param optimizer builds an optimizer over the model's parameters for a given rate, e.g.
     *                  {@code lr -> new SGD(model.parameters(), SGD.options(lr).withMomentum(0.9))}
     * @param data      the training batches; its epoch counter is left alone
     * @return the rates, losses and suggestion
     */
    public LrFinderResult run(Module model, Loss loss, DoubleFunction<Optimizer> optimizer, DataLoader data) {
        Objects.requireNonNull(model, "LrFinder: model must not be null");
        Objects.requireNonNull(loss, "LrFinder: loss must not be null");
        Objects.requireNonNull(optimizer, "LrFinder: optimizer must not be null");
        Objects.requireNonNull(data, "LrFinder: data must not be null");
        Optimizer opt = Objects.requireNonNull(optimizer.apply(startLr), "LrFinder: the optimizer factory gave null");
        if (opt.groups().isEmpty()) {
            throw new IllegalArgumentException("LrFinder: the optimizer has no parameter groups");
        }
        Map<String, Tensor> saved = snapshot(model);
        boolean wasTraining = model.isTraining();
        List<Double> lrs = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> smooth = new ArrayList<>();
        boolean diverged = false;
        MemoryScope.Pool pool = new MemoryScope.Pool();
        int epoch = 0;
        BatchIterator it = null;
        try {
            model.train();
            double avg = 0;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < steps; i++) {
                if (it == null || !it.hasNext()) {
                    if (it != null) {
                        it.close();
                    }
                    it = data.iterator(epoch++);
                    if (!it.hasNext()) {
                        throw new IllegalArgumentException("LrFinder: the data loader yields no batches");
                    }
                }
                double lr = learningRate(i);
                for (ParameterGroup g : opt.groups()) {
                    g.setLearningRate(lr);
                }
                Batch b = it.next();
                double value;
                try (MemoryScope step = MemoryScope.open(pool)) {
                    Tensor l = loss.compute(model.forward(b.features()), b.targets());
                    opt.zeroGrad();
                    l.backward();
                    value = l.item();
                }
                if (!Double.isFinite(value)) {
                    diverged = true;
                    break;
                }
                opt.step();
                avg = beta * avg + (1 - beta) * value;
                double s = avg / (1 - Math.pow(beta, i + 1));
                lrs.add(lr);
                raw.add(value);
                smooth.add(s);
                best = Math.min(best, s);
                if (s > divergence * best) {
                    diverged = true;
                    break;
                }
            }
        } finally {
            if (it != null) {
                it.close();
            }
            restore(model, saved);
            model.zeroGrad();
            if (wasTraining) {
                model.train();
            } else {
                model.eval();
            }
        }
        return new LrFinderResult(toArray(lrs), toArray(raw), toArray(smooth), diverged, skipStart, skipEnd);
    }

    private static Map<String, Tensor> snapshot(Module model) {
        Map<String, Tensor> copies = new LinkedHashMap<>();
        try (GradMode off = Tensor.noGrad(); MemoryScope outside = MemoryScope.persistent()) {
            model.stateDict().forEach((name, t) -> copies.put(name, t.copy()));
        }
        return copies;
    }

    private static void restore(Module model, Map<String, Tensor> saved) {
        // stateDict's tensors share storage with the parameters and buffers: copying into them restores in place.
        model.stateDict().forEach((name, t) -> t.copyFrom(saved.get(name)));
    }

    private static double[] toArray(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
