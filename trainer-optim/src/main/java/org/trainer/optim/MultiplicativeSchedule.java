package org.trainer.optim;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongToDoubleFunction;

import org.trainer.core.train.LearningRateSchedule;

/**
 * The rate multiplied at every step by a factor of that step, as
 * torch.optim.lr_scheduler.MultiplicativeLR:
 * <pre>
 *   lr(0) = base
 *   lr(t) = lr(t - 1) * factor(t) = base * factor(1) * factor(2) * ... * factor(t)
 * </pre>
 * e.g. {@code t -> 0.95} decays by 5% a step (as ExponentialSchedule(0.95)), and {@code t -> t % 30
 * == 0 ? 0.1 : 1} divides the rate by 10 every 30 steps. The function should be pure (the same t,
 * the same factor). A factor that is not finite, or is negative, is refused when it is computed,
 * naming t, so that no such rate reaches the weights.
 *
 * <p>As a later part of a {@link SequentialSchedule} it starts from the initial rate at its
 * milestone, as every part does; inside torch's SequentialLR, MultiplicativeLR (which has no closed
 * form) starts from the rate the part before it left.
 *
 * <p>The product is taken in the order of t, from the last t asked for when t has not gone back
 * (the trainer's steady case: one factor per step), else from 1; the result is the same either way,
 * bit for bit.
 */
public final class MultiplicativeSchedule implements LearningRateSchedule {
    private final LongToDoubleFunction factor;
    private final boolean perIteration;
    /** The product of factor(1..t) for the last t computed: {t, product}. */
    private final AtomicReference<Product> last = new AtomicReference<>(new Product(0, 1.0));

    private record Product(long t, double value) {
    }

    /**
     * @param factor       t -> the factor that step t (t >= 1) multiplies the rate by
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public MultiplicativeSchedule(LongToDoubleFunction factor, boolean perIteration) {
        this.factor = Objects.requireNonNull(factor, "MultiplicativeSchedule: factor must not be null");
        this.perIteration = perIteration;
    }

    /** Per epoch. */
    public MultiplicativeSchedule(LongToDoubleFunction factor) {
        this(factor, false);
    }

    /** This schedule, with t counting iterations (true) or epochs (false). */
    public MultiplicativeSchedule perIteration(boolean on) {
        return new MultiplicativeSchedule(factor, on);
    }

    public LongToDoubleFunction factor() {
        return factor;
    }

    @Override
    public boolean perIteration() {
        return perIteration;
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("MultiplicativeSchedule", t);
        Product from = last.get();
        if (from.t() > t) {
            from = new Product(0, 1.0);
        }
        double p = from.value();
        for (long k = from.t() + 1; k <= t; k++) {
            double f = factor.applyAsDouble(k);
            if (!(f >= 0) || Double.isInfinite(f)) {
                throw new IllegalArgumentException("MultiplicativeSchedule: factor(" + k
                        + ") must be a finite value >= 0, got " + f);
            }
            p *= f;
        }
        last.set(new Product(t, p));
        return base * p;
    }

    @Override
    public String toString() {
        return "MultiplicativeSchedule[perIteration=" + perIteration + "]";
    }
}
