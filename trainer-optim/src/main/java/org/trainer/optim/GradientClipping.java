package org.trainer.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.UnaryOp;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_, in two forms: static
 * functions that clip the gradients of some parameters in place, and an {@link Optimizer} that
 * clips the gradients of another optimizer's parameters before each of its steps ({@link #byNorm},
 * {@link #byValue}), which is how it joins a {@link org.trainer.core.train.Trainer}: the trainer
 * calls {@code step()} right after backward.
 *
 * <p><b>By norm.</b> Over the gradients g_1..g_k of the trainable parameters that have one, viewed
 * as one vector:
 * <pre>
 *   N = (sum_i sum_j |g_ij|^p)^(1/p)     (p = normType; for p = inf, N = max_ij |g_ij|)
 *   c = maxNorm / (N + 1e-6)
 *   if c &lt; 1: g_i = c * g_i  for every i
 * </pre>
 * and N, the norm before clipping, is returned. A non-finite N (an inf or NaN gradient) scales
 * every gradient by c (NaN or 0), as torch does, unless {@code errorIfNonfinite} asks for an exception.
 *
 * <p><b>By value.</b> {@code g_ij = clamp(g_ij, -clipValue, clipValue)} for every element.
 *
 * <p>The sums of each gradient are taken in its dtype by the backend, and combined in double.
 * Gradients are modified in place through backend primitives, so the optimizer then reads the
 * clipped values; frozen parameters and those without a gradient are left alone.
 */
public final class GradientClipping implements Optimizer {
    private static final double EPS = 1e-6;

    private final Optimizer inner;
    private final double maxNorm;
    private final double normType;
    private final double clipValue;
    private final MemoryScope.Pool pool = new MemoryScope.Pool();
    private double lastNorm = Double.NaN;

    private GradientClipping(Optimizer inner, double maxNorm, double normType, double clipValue) {
        this.inner = Objects.requireNonNull(inner, "GradientClipping: optimizer must not be null");
        this.maxNorm = maxNorm;
        this.normType = normType;
        this.clipValue = clipValue;
    }

    /**
     * {@code inner}, with the L2 norm of all its gradients clipped to maxNorm before each step.
     *
     * @param inner the optimizer to wrap
     * @param maxNorm the largest norm left unclipped
     * @return the wrapped optimizer
     */
    public static GradientClipping byNorm(Optimizer inner, double maxNorm) {
        return byNorm(inner, maxNorm, 2);
    }

    /**
     * {@code inner}, with the p-norm (p = normType) of all its gradients clipped to maxNorm before each step.
     *
     * @param inner the optimizer to wrap
     * @param maxNorm the largest norm left unclipped
     * @param normType p, positive, or infinity for the largest magnitude
     * @return the wrapped optimizer
     */
    public static GradientClipping byNorm(Optimizer inner, double maxNorm, double normType) {
        checkNorm(maxNorm, normType);
        return new GradientClipping(inner, maxNorm, normType, Double.NaN);
    }

    /**
     * {@code inner}, with every gradient element clamped to [-clipValue, clipValue] before each step.
     *
     * @param inner the optimizer to wrap
     * @param clipValue the largest magnitude of an element
     * @return the wrapped optimizer
     */
    public static GradientClipping byValue(Optimizer inner, double clipValue) {
        checkValue(clipValue);
        return new GradientClipping(inner, Double.NaN, 2, clipValue);
    }

    /**
     * Clips the L2 norm of the parameters' gradients to maxNorm; returns the norm before clipping.
     *
     * @param parameters the parameters whose gradients are clipped in place
     * @param maxNorm the largest norm left unclipped
     * @return the norm before clipping
     */
    public static double clipGradNorm(Iterable<Parameter> parameters, double maxNorm) {
        return clipGradNorm(parameters, maxNorm, 2, false);
    }

    /**
     * Clips the p-norm (p = normType) of the gradients to maxNorm; returns the norm before clipping.
     *
     * @param parameters the parameters whose gradients are clipped in place
     * @param maxNorm the largest norm left unclipped
     * @param normType p, positive, or infinity
     * @return the norm before clipping
     */
    public static double clipGradNorm(Iterable<Parameter> parameters, double maxNorm, double normType) {
        return clipGradNorm(parameters, maxNorm, normType, false);
    }

    /**
     * Clips the p-norm of the gradients, viewed as one vector, to maxNorm, in place.
     *
     * @param parameters the parameters whose gradients are clipped in place
     * @param maxNorm          the largest norm left unclipped, finite and >= 0
     * @param normType         p > 0, or {@code Double.POSITIVE_INFINITY} for the largest magnitude
     * @param errorIfNonfinite throw instead of scaling by a NaN or zero factor when the norm is inf or NaN
     * @return the total norm before clipping (0 when no parameter has a gradient)
     * @throws ArithmeticException when errorIfNonfinite is set and the norm is not finite; nothing is modified
     */
    public static double clipGradNorm(Iterable<Parameter> parameters, double maxNorm, double normType,
                                      boolean errorIfNonfinite) {
        checkNorm(maxNorm, normType);
        List<Tensor> grads = grads(parameters);
        double total = norm(grads, normType);
        if (errorIfNonfinite && !Double.isFinite(total)) {
            throw new ArithmeticException("clipGradNorm: the total norm of order " + normType
                    + " of the gradients is " + total + ", so it cannot be clipped");
        }
        double coef = maxNorm / (total + EPS);
        // torch multiplies by min(c, 1) unconditionally; skipping c >= 1 gives the same values.
        if (!(coef >= 1)) {
            for (Tensor g : grads) {
                g.backend().unary(UnaryOp.SCALE, coef, g.storage(), g.storage());
            }
        }
        return total;
    }

    /**
     * Clamps every gradient element to [-clipValue, clipValue] in place; clipValue is finite and >= 0.
     *
     * @param parameters the parameters whose gradients are clamped
     * @param clipValue the largest magnitude of an element
     */
    public static void clipGradValue(Iterable<Parameter> parameters, double clipValue) {
        checkValue(clipValue);
        for (Tensor g : grads(parameters)) {
            g.backend().unary(UnaryOp.CLAMP_MIN, -clipValue, g.storage(), g.storage());
            g.backend().unary(UnaryOp.CLAMP_MAX, clipValue, g.storage(), g.storage());
        }
    }

    /**
     * The p-norm of the parameters' gradients viewed as one vector, without clipping (0 when none has one).
     *
     * @param parameters the parameters
     * @param normType p, positive, or infinity
     * @return the norm
     */
    public static double gradNorm(Iterable<Parameter> parameters, double normType) {
        checkNormType(normType);
        return norm(grads(parameters), normType);
    }

    private static List<Tensor> grads(Iterable<Parameter> parameters) {
        Objects.requireNonNull(parameters, "GradientClipping: parameters must not be null");
        List<Tensor> grads = new ArrayList<>();
        for (Parameter p : parameters) {
            if (p.isTrainable() && p.grad() != null) {
                grads.add(p.grad());
            }
        }
        return grads;
    }

    private static double norm(List<Tensor> grads, double p) {
        double acc = 0;
        try (GradMode off = Tensor.noGrad()) {
            for (Tensor g : grads) {
                if (p == Double.POSITIVE_INFINITY) {
                    acc = Math.max(acc, g.abs().max().item());
                    if (Double.isNaN(acc)) {
                        break;
                    }
                } else if (p == 2) {
                    acc += g.mul(g).sum().item();
                } else if (p == 1) {
                    acc += g.abs().sum().item();
                } else {
                    acc += g.abs().pow(p).sum().item();
                }
            }
        }
        if (p == Double.POSITIVE_INFINITY || p == 1) {
            return acc;
        }
        return p == 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / p);
    }

    private static void checkNorm(double maxNorm, double normType) {
        ScheduleChecks.nonNegative("GradientClipping", "maxNorm", maxNorm);
        checkNormType(normType);
    }

    private static void checkNormType(double normType) {
        if (!(normType > 0)) {
            throw new IllegalArgumentException("GradientClipping: normType must be > 0 (or infinity), got "
                    + normType);
        }
    }

    private static void checkValue(double clipValue) {
        ScheduleChecks.nonNegative("GradientClipping", "clipValue", clipValue);
    }

    /**
     * Clips the gradients of every group's parameters together, records the L2 (by value) or p-norm
     * (by norm) before clipping in {@link #lastNorm()}, then steps the wrapped optimizer.
     */
    @Override
    public void step() {
        List<Parameter> params = new ArrayList<>();
        for (ParameterGroup g : inner.groups()) {
            params.addAll(g.parameters());
        }
        // The norm's temporaries are dead once it is read; the pool lets the next step reuse them.
        try (MemoryScope scope = MemoryScope.open(pool)) {
            if (Double.isNaN(clipValue)) {
                lastNorm = clipGradNorm(params, maxNorm, normType, false);
            } else {
                lastNorm = gradNorm(params, 2);
                clipGradValue(params, clipValue);
            }
        }
        inner.step();
    }

    /**
     * The gradients' norm before clipping at the last step (NaN before the first): what monitors read.
     *
     * @return the norm, or NaN
     */
    public double lastNorm() {
        return lastNorm;
    }

    /**
     * The optimizer whose gradients are clipped.
     *
     * @return the wrapped optimizer
     */
    public Optimizer inner() {
        return inner;
    }

    @Override
    public List<ParameterGroup> groups() {
        return inner.groups();
    }

    /** The wrapped optimizer's state (clipping itself keeps none). */
    @Override
    public Map<String, Tensor> stateDict() {
        return inner.stateDict();
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        inner.loadStateDict(state);
    }

    @Override
    public void zeroGrad() {
        inner.zeroGrad();
    }

    @Override
    public String toString() {
        return "GradientClipping[" + (Double.isNaN(clipValue) ? "maxNorm=" + maxNorm + ", normType=" + normType
                : "clipValue=" + clipValue) + ", " + inner + "]";
    }
}
