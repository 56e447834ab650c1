package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * The run diverges. On every step ({@link #onLoss}): the loss is NaN or infinite, or it exploded,
 * exceeding {@code lossFactor} (default 10) times the larger of its running mean and its starting
 * level, from the second step on. Both are over the finite losses before this one: the starting
 * level is the mean of the first {@value #START_STEPS} steps (of those so far, before then), the
 * running mean starts there and then moves as an exponential average with weight
 * {@value #MEAN_WEIGHT} per step; so a run that diverges at step 2 is caught at step 2, and a loss
 * that fell a thousandfold is not judged against its own noise alone. On
 * sampled steps: a NaN or infinite value in a weight, a gradient or an activation, or a weight or
 * gradient larger in magnitude than {@code maxAbs} (default 1e4). Each is reported as ERROR once per
 * streak (again only after the values have come back): pair it with {@link Action#stop()}, which then
 * ends the run after the very step. Lower the learning rate, clip gradients, check the data for NaN.
 */
public final class ExplodingTensor extends StreakRule {
    /** Steps whose mean loss is the starting level. */
    static final int START_STEPS = 5;
    /** Weight of a new step in the running mean of the loss. */
    static final double MEAN_WEIGHT = 0.05;
    private static final Set<String> LOSS_KEYS = Set.of("loss_mean", "loss_start", "loss_steps");

    private final double maxAbs;
    private final double lossFactor;
    private double lossMean;
    private double lossStart;
    private long lossSteps;

    /** With the defaults maxAbs 1e4 and lossFactor 10. */
    public ExplodingTensor() {
        this(1e4, 10);
    }

    /** With lossFactor 10. */
    public ExplodingTensor(double maxAbs) {
        this(maxAbs, 10);
    }

    public ExplodingTensor(double maxAbs, double lossFactor) {
        if (!(maxAbs > 0)) {
            throw new IllegalArgumentException("ExplodingTensor: maxAbs must be > 0, got " + maxAbs);
        }
        if (!(lossFactor > 1) || Double.isInfinite(lossFactor)) {
            throw new IllegalArgumentException("ExplodingTensor: lossFactor must be a finite number > 1, got "
                    + lossFactor);
        }
        this.maxAbs = maxAbs;
        this.lossFactor = lossFactor;
    }

    @Override
    public String name() {
        return "ExplodingTensor";
    }

    @Override
    public List<Finding> onLoss(int epoch, long iteration, double loss) {
        if (hit("loss_non_finite", !Double.isFinite(loss), 1)) {
            return List.of(new Finding(name(), Finding.Severity.ERROR, epoch, iteration, String.format(
                    "the loss is %s at step %d (running mean %.4g): training has diverged; lower the learning "
                            + "rate, clip gradients or check the inputs for NaN", loss, iteration, lossMean),
                    Map.of("loss", loss)));
        }
        if (!Double.isFinite(loss)) {
            return List.of();
        }
        double reference = Math.max(lossMean, lossStart);
        boolean exploded = lossSteps >= 1 && reference > 0 && loss > lossFactor * reference;
        track(loss);
        if (!hit("loss_exploded", exploded, 1)) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", loss);
        values.put("loss_running_mean", reference);
        return List.of(new Finding(name(), Finding.Severity.ERROR, epoch, iteration, String.format(
                "the loss exploded to %.4g at step %d, %.3g times its running mean %.4g (limit %.3g times): "
                        + "training is diverging; lower the learning rate or clip gradients",
                loss, iteration, loss / reference, reference, lossFactor), values));
    }

    /** Adds a finite loss to the starting level (first steps) or the running mean. */
    private void track(double loss) {
        lossSteps++;
        if (lossSteps <= START_STEPS) {
            lossStart += (loss - lossStart) / lossSteps;
            lossMean = lossStart;
        } else {
            lossMean += MEAN_WEIGHT * (loss - lossMean);
        }
    }

    @Override
    public List<Finding> onStep(Snapshot s) {
        Map<String, Double> values = new LinkedHashMap<>();
        long nonFinite = 0;
        double largest = 0;
        String largestName = null;
        for (Snapshot.ParameterStats p : s.parameters()) {
            if (p.nonFinite() > 0) {
                values.put("non_finite/" + p.name(), (double) p.nonFinite());
                nonFinite += p.nonFinite();
            }
            if (p.maxAbs() > largest) {
                largest = p.maxAbs();
                largestName = p.name();
            }
        }
        for (Snapshot.ActivationStats a : s.activations()) {
            if (a.nonFinite() > 0) {
                values.put("non_finite/" + a.name(), (double) a.nonFinite());
                nonFinite += a.nonFinite();
            }
        }
        boolean nan = hit("non_finite", nonFinite > 0, 1);
        boolean big = hit("magnitude", largest > maxAbs, 1);
        if (!nan && !big) {
            return List.of();
        }
        String message;
        if (nan) {
            message = nonFinite + " NaN or infinite values in weights, gradients or activations (loss " + s.loss()
                    + "): training has diverged; lower the learning rate, clip gradients or check the inputs";
        } else {
            values.clear();
            message = String.format("|value| reached %.3g in %s (limit %.0e): training is diverging; lower the "
                    + "learning rate or clip gradients", largest, largestName, maxAbs);
        }
        if (largestName != null) {
            values.put("max_abs/" + largestName, largest);
        }
        return List.of(new Finding(name(), Finding.Severity.ERROR, s.epoch(), s.iteration(), message, values));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(super.stateDict());
        out.put("loss_mean", StateEntries.scalar(lossMean));
        out.put("loss_start", StateEntries.scalar(lossStart));
        out.put("loss_steps", StateEntries.scalar(lossSteps));
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        for (String k : state.keySet()) {
            if (!k.startsWith("streak.") && !LOSS_KEYS.contains(k)) {
                throw new IllegalArgumentException(name() + ".loadStateDict: unexpected '" + k + "' (expected "
                        + "streak.<key> and " + LOSS_KEYS + ")");
            }
        }
        // A state saved before the loss was tracked has none of its keys: the loss starts afresh.
        boolean old = LOSS_KEYS.stream().noneMatch(state::containsKey);
        double mean = old ? 0 : StateEntries.readScalar(name(), state, "loss_mean");
        double start = old ? 0 : StateEntries.readScalar(name(), state, "loss_start");
        long steps = old ? 0 : StateEntries.readCount(name(), state, "loss_steps");
        super.loadStateDict(state);
        lossMean = mean;
        lossStart = start;
        lossSteps = steps;
    }
}
