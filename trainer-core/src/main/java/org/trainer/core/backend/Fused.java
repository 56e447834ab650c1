package org.trainer.core.backend;

/**
 * The {@link Capability capabilities} core knows: fused kernels a backend may offer, each with a
 * composed fallback at its call site. The CPU backend offers all of them, the CUDA backend those it
 * has kernels for; a backend of only the required primitives offers none and runs the fallbacks.
 * Storages passed to a capability belong to the backend that returned it.
 */
public final class Fused {
    private Fused() {
    }

    /**
     * Softmax and log-softmax along an axis in one pass each way. Fallback: {@code ops.Softmax}, from
     * {@link Backend#reduce} (max, then sum), {@link Backend#binary} and {@link Backend#unary}.
     */
    public interface Softmax extends Capability {
        /**
         * (Log-)softmax of x viewed as [outer, n, inner] along the middle axis.
         *
         * @param log whether to compute the log-softmax
         * @param x the input
         * @param outer the product of the axes before the softmax axis
         * @param n the softmax axis's size
         * @param inner the product of the axes after it
         * @param y the output
         */
        void softmax(boolean log, Storage x, int outer, int n, int inner, Storage y);

        /**
         * Gradient of (log-)softmax given its output y and the output's gradient gy.
         *
         * @param log whether the forward was the log-softmax
         * @param y the forward's output
         * @param gy the output's gradient
         * @param outer the product of the axes before the softmax axis
         * @param n the softmax axis's size
         * @param inner the product of the axes after it
         * @param gx the input's gradient, overwritten
         */
        void softmaxBackward(boolean log, Storage y, Storage gy, int outer, int n, int inner, Storage gx);
    }

    /**
     * The two halves of the fused softmax cross-entropy on log-probabilities. Fallback:
     * {@code ops.SoftmaxCrossEntropy}, from a one-hot mask of the labels ({@link Backend#binary} EQ),
     * {@link Backend#where} and {@link Backend#reduce}.
     */
    public interface CrossEntropy extends Capability {
        /**
         * Negative log-likelihood of hard labels, the forward half of the fused softmax cross-entropy:
         * {@code loss[i] = -logP[i * c + labels[i]]} for i &lt; n, from log-probabilities logP [n, c] and
         * int32 labels [n]. A label outside [0, c) is an error where the backend can raise one (the
         * CPU's names its position) and a NaN loss where it cannot (a GPU kernel).
         *
         * @param logP the log-probabilities [n, c]
         * @param labels the int32 labels [n]
         * @param n the number of samples
         * @param c the number of classes
         * @param loss the losses [n], overwritten
         */
        void nllLoss(Storage logP, Storage labels, int n, int c, Storage loss);

        /**
         * Gradient of the fused softmax cross-entropy with respect to the logits, from the forward's
         * log-probabilities: {@code gx[i, j] = g_i * (exp(logP[i, j]) - (j == labels[i] ? 1 : 0))}, where
         * g_i is {@code gLoss[i] * scale} for a gradient of every sample's loss (n elements) and
         * {@code gLoss[0] * scale} for the gradient of their scaled sum (one element: a mean's scale is
         * 1 / n), the product rounded to the dtype as a multiplication in it would be.
         *
         * @param logP the forward's log-probabilities [n, c]
         * @param labels the int32 labels [n]
         * @param gLoss the loss's gradient, n elements or one
         * @param scale the factor applied to gLoss
         * @param n the number of samples
         * @param c the number of classes
         * @param gx the logits' gradient [n, c], overwritten
         */
        void crossEntropyBackward(Storage logP, Storage labels, Storage gLoss, double scale, int n, int c, Storage gx);
    }

    /**
     * A direct 2-D convolution. Fallback: {@code ops.Conv2d}'s {@link Backend#im2col} and
     * {@link Backend#matmul}.
     */
    public interface Conv2d extends Capability {
        /**
         * Fused 2-D convolution, for backends that have one: y [N, OC, OH, OW] = x [N, C, H, W] convolved
         * with w [OC, C, KH, KW] (geometry {@code g}), plus bias [OC] unless it is null. Returns false,
         * writing nothing, when this backend has no fused path for these storages; the caller then uses
         * {@link Backend#im2col} and {@link Backend#matmul}. A backend that returns true here for some storages must
         * also return true from {@link #conv2dBackward} for them.
         *
         * @param x the input
         * @param w the kernels
         * @param bias the bias, or null
         * @param g the geometry
         * @param oc the output channels
         * @param y the output
         * @return whether this backend computed it
         */
        boolean conv2d(Storage x, Storage w, Storage bias, ConvGeometry g, int oc, Storage y);

        /**
         * Backward of the fused {@link #conv2d}: from the output gradient gy [N, OC, OH, OW], overwrites
         * gx [N, C, H, W], gw [OC, C, KH, KW] and gb [OC]; each is skipped when null. Returns false,
         * writing nothing, when this backend has no fused path for these storages.
         *
         * @param x the forward's input
         * @param w the kernels
         * @param gy the output's gradient
         * @param g the geometry
         * @param oc the output channels
         * @param gx the input's gradient, or null
         * @param gw the kernels' gradient, or null
         * @param gb the bias's gradient, or null
         * @return whether this backend computed it
         */
        boolean conv2dBackward(Storage x, Storage w, Storage gy, ConvGeometry g, int oc, Storage gx, Storage gw,
                               Storage gb);
    }

    /**
     * The whole LSTM recurrence of one layer and direction. Fallback: {@code ops.LstmRecurrence}, each
     * step from {@link Backend#matmul}, {@link Backend#unary} and {@link Backend#binary}.
     */
    public interface Lstm extends Capability {
        /**
         * Fused LSTM recurrence over the T steps of one layer and direction, for backends that have one.
         * With gate blocks i, f, g, o (PyTorch's order) and, for the step at time t, fed the state
         * (h', c') of the step processed before it (t - 1, or t + 1 when {@code reverse}; h0, c0 for the
         * first):
         * <pre>
         *   z = xProj[t] + h' wHh^T + bHh                        [N, 4H]
         *   i, f, o = sigmoid(z_i, z_f, z_o),  g = tanh(z_g)
         *   c = f c' + i g,  h = o tanh(c)
         * </pre>
         * Inputs: xProj [T, N, 4H] (the input projection of every step), wHh [4H, H], bHh [4H] or null,
         * h0 and c0 [N, H]. Overwrites out [T + 1, N, H] (out[t] = h of step t, out[T] = the c of the
         * last step processed), cs [T, N, H] (c of each step) and gates [T, N, 4H] (i, f, g, o of each
         * step), which {@link #lstmBackward} reads. Returns false, writing nothing, when this backend has
         * no fused path for these storages; the caller then composes each step from {@link Backend#matmul},
         * {@link Backend#unary} and {@link Backend#binary}. A backend that returns true here for some storages must
         * also return true from {@link #lstmBackward} for them.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse whether the steps run from T - 1 down to 0
         * @param xProj [T, N, 4H]
         * @param wHh [4H, H]
         * @param bHh [4H], or null
         * @param h0 [N, H]
         * @param c0 [N, H]
         * @param out [T + 1, N, H], overwritten
         * @param cs [T, N, H], overwritten
         * @param gates [T, N, 4H], overwritten
         * @return whether this backend computed it
         */
        boolean lstmForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                            Storage h0, Storage c0, Storage out, Storage cs, Storage gates);

        /**
         * Backward of {@link #lstmForward}, given its inputs and outputs and gOut [T + 1, N, H], the
         * gradient of out. Overwrites gxProj [T, N, 4H] (the gradient of z at every step, which is that
         * of xProj), and gw [4H, H], gb [4H], gh0 and gc0 [N, H] unless null; dh and dc are [N, H]
         * scratch. Returns false, writing nothing, when this backend has no fused path.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse as in the forward
         * @param wHh [4H, H]
         * @param h0 [N, H]
         * @param c0 [N, H]
         * @param out the forward's out
         * @param cs the forward's cs
         * @param gates the forward's gates
         * @param gOut [T + 1, N, H]
         * @param gxProj [T, N, 4H], overwritten
         * @param gw [4H, H], or null
         * @param gb [4H], or null
         * @param gh0 [N, H], or null
         * @param gc0 [N, H], or null
         * @param dh [N, H] scratch
         * @param dc [N, H] scratch
         * @return whether this backend computed it
         */
        boolean lstmBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage c0,
                             Storage out, Storage cs, Storage gates, Storage gOut, Storage gxProj, Storage gw,
                             Storage gb, Storage gh0, Storage gc0, Storage dh, Storage dc);
    }

    /**
     * The whole GRU recurrence of one layer and direction. Fallback: {@code GRU}'s cell, each step
     * from {@link Backend#matmul}, {@link Backend#unary} and {@link Backend#binary}.
     */
    public interface Gru extends Capability {
        /**
         * Fused GRU recurrence over the T steps of one layer and direction, for backends that have one.
         * With gate blocks r, z, n (PyTorch's order) and, for the step at time t, fed the h' of the step
         * processed before it (t - 1, or t + 1 when {@code reverse}; h0 for the first):
         * <pre>
         *   p = h' wHh^T + bHh                                   [N, 3H]
         *   r = sigmoid(xProj[t]_r + p_r),  z = sigmoid(xProj[t]_z + p_z)
         *   n = tanh(xProj[t]_n + r p_n),   h = (1 - z) n + z h'
         * </pre>
         * (the reset gate scales p_n, bias included, as PyTorch's GRU). Inputs: xProj [T, N, 3H] (the
         * input projection of every step), wHh [3H, H], bHh [3H] or null, h0 [N, H]. Overwrites out
         * [T, N, H] (out[t] = h of step t), gates [T, N, 3H] (r, z, n of each step) and hn [T, N, H]
         * (p_n of each step), which {@link #gruBackward} reads. Returns false, writing nothing, when
         * this backend has no fused path for these storages; the caller then composes each step. A
         * backend that returns true here for some storages must also return true from
         * {@link #gruBackward} for them.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse whether the steps run from T - 1 down to 0
         * @param xProj [T, N, 3H]
         * @param wHh [3H, H]
         * @param bHh [3H], or null
         * @param h0 [N, H]
         * @param out [T, N, H], overwritten
         * @param gates [T, N, 3H], overwritten
         * @param hn [T, N, H], overwritten
         * @return whether this backend computed it
         */
        boolean gruForward(int steps, int n, int hidden, boolean reverse, Storage xProj, Storage wHh, Storage bHh,
                           Storage h0, Storage out, Storage gates, Storage hn);

        /**
         * Backward of {@link #gruForward}, given its inputs and outputs and gOut [T, N, H], the gradient
         * of out. Overwrites gxProj [T, N, 3H] (the gradient of xProj), gp [T, N, 3H] (that of p at
         * every step, whose n block is r times gxProj's), and gw [3H, H], gb [3H] and gh0 [N, H] unless
         * null; dh is [N, H] scratch. Returns false, writing nothing, when this backend has no fused path.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse as in the forward
         * @param wHh [3H, H]
         * @param h0 [N, H]
         * @param out the forward's out
         * @param gates the forward's gates
         * @param hn the forward's hn
         * @param gOut [T, N, H]
         * @param gxProj [T, N, 3H], overwritten
         * @param gp [T, N, 3H], overwritten
         * @param gw [3H, H], or null
         * @param gb [3H], or null
         * @param gh0 [N, H], or null
         * @param dh [N, H] scratch
         * @return whether this backend computed it
         */
        boolean gruBackward(int steps, int n, int hidden, boolean reverse, Storage wHh, Storage h0, Storage out,
                            Storage gates, Storage hn, Storage gOut, Storage gxProj, Storage gp, Storage gw,
                            Storage gb, Storage gh0, Storage dh);
    }

    /**
     * The whole Elman RNN recurrence of one layer and direction. Fallback: {@code RNN}'s cell, each
     * step from {@link Backend#matmul}, {@link Backend#binary} and {@link Backend#unary}.
     */
    public interface Rnn extends Capability {
        /**
         * Fused RNN recurrence over the T steps of one layer and direction, for backends that have one:
         * for the step at time t, fed the h' of the step processed before it (t - 1, or t + 1 when
         * {@code reverse}; h0 for the first),
         * {@code h = act(xProj[t] + h' wHh^T + bHh)}, act tanh or (relu) max(0, .). Inputs: xProj
         * [T, N, H] (the input projection of every step), wHh [H, H], bHh [H] or null, h0 [N, H].
         * Overwrites out [T, N, H] (out[t] = h of step t), all that {@link #rnnBackward} reads. Returns
         * false, writing nothing, when this backend has no fused path for these storages; the caller
         * then composes each step. A backend that returns true here for some storages must also return
         * true from {@link #rnnBackward} for them.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse whether the steps run from T - 1 down to 0
         * @param relu whether act is relu (else tanh)
         * @param xProj [T, N, H]
         * @param wHh [H, H]
         * @param bHh [H], or null
         * @param h0 [N, H]
         * @param out [T, N, H], overwritten
         * @return whether this backend computed it
         */
        boolean rnnForward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage xProj, Storage wHh,
                           Storage bHh, Storage h0, Storage out);

        /**
         * Backward of {@link #rnnForward}, given its inputs and output and gOut [T, N, H], the gradient of
         * out. Overwrites gxProj [T, N, H] (the gradient of the pre-activation at every step, which is
         * that of xProj), and gw [H, H], gb [H] and gh0 [N, H] unless null; dh is [N, H] scratch.
         * Returns false, writing nothing, when this backend has no fused path.
         *
         * @param steps T
         * @param n the batch size N
         * @param hidden H
         * @param reverse as in the forward
         * @param relu as in the forward
         * @param wHh [H, H]
         * @param h0 [N, H]
         * @param out the forward's out
         * @param gOut [T, N, H]
         * @param gxProj [T, N, H], overwritten
         * @param gw [H, H], or null
         * @param gb [H], or null
         * @param gh0 [N, H], or null
         * @param dh [N, H] scratch
         * @return whether this backend computed it
         */
        boolean rnnBackward(int steps, int n, int hidden, boolean reverse, boolean relu, Storage wHh, Storage h0,
                            Storage out, Storage gOut, Storage gxProj, Storage gw, Storage gb, Storage gh0,
                            Storage dh);
    }

    /**
     * One-pass SGD steps. Fallback: the optimizer's update in Tensor operations ({@code torch.optim.SGD}'s rule).
     */
    public interface Sgd extends Capability {
        /**
         * One SGD step over a parameter in a single pass, as torch.optim.SGD: g' = g + weightDecay * w;
         * with momentum, buf = g' on the first step, else momentum * buf + (1 - dampening) * g', and the
         * direction is g' + momentum * buf (Nesterov) or buf; without momentum (buf null) it is g'.
         * Finally w -= lr * direction. Writes w and buf.
         *
         * @param w the parameter
         * @param g its gradient
         * @param buf the momentum buffer, or null
         * @param lr the learning rate
         * @param momentum the momentum
         * @param dampening the dampening
         * @param weightDecay the L2 coefficient
         * @param nesterov whether to use Nesterov momentum
         * @param firstStep whether this is the buffer's first step
         */
        void sgdStep(Storage w, Storage g, Storage buf, double lr, double momentum, double dampening, double weightDecay,
                     boolean nesterov, boolean firstStep);

        /**
         * {@link #sgdStep} over the parameters of a group that share every scalar: parameter i is w[i],
         * with gradient g[i] and momentum buffer buf[i]. Without momentum buf is null as a whole;
         * otherwise it holds a buffer for every parameter (and {@code firstStep} applies to all of them).
         * The parameters may differ in size and dtype; no storage may be written by two of them (a backend
         * may update them all at once). The result is that of calling {@code sgdStep} on each parameter in
         * turn, bit for bit, which is what the default does; a backend overrides it to update many
         * parameters per pass (multi-tensor apply). Writes every w[i] and buf[i].
         *
         * @param w the parameters
         * @param g their gradients
         * @param buf their momentum buffers, or null
         * @param lr the learning rate
         * @param momentum the momentum
         * @param dampening the dampening
         * @param weightDecay the L2 coefficient
         * @param nesterov whether to use Nesterov momentum
         * @param firstStep whether this is the buffers' first step
         * @throws IllegalArgumentException if g or buf differ from w in length, an entry is null or differs
         *         from its w in dtype or size, or a written storage appears twice ({@link GroupSteps})
         */
        default void sgdSteps(Storage[] w, Storage[] g, Storage[] buf, double lr, double momentum, double dampening,
                              double weightDecay, boolean nesterov, boolean firstStep) {
            GroupSteps.checkSgd(w, g, buf);
            for (int i = 0; i < w.length; i++) {
                sgdStep(w[i], g[i], buf == null ? null : buf[i], lr, momentum, dampening, weightDecay, nesterov,
                        firstStep);
            }
        }
    }

    /**
     * One-pass Adam / AdamW steps. Fallback: the optimizer's update in Tensor operations.
     */
    public interface Adam extends Capability {
        /**
         * One Adam or AdamW step over a parameter, as torch.optim.Adam / torch.optim.AdamW, with t =
         * {@code step} (1 on the first step), bias corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t:
         * <pre>
         *   w  = w (1 - lr weightDecay)                    (decoupled, AdamW)
         *   g' = g + weightDecay w                         (otherwise, L2 as Adam; g' = g when decoupled)
         *   m  = beta1 m + (1 - beta1) g'
         *   v  = beta2 v + (1 - beta2) g'^2
         *   vMax = max(vMax, v)                            (AMSGrad, when vMax is not null)
         *   w  = w - (lr / c1) m / (sqrt(vMax or v) / sqrt(c2) + eps)
         * </pre>
         * Writes w, m, v and vMax, in one pass over memory (the composed update makes about fifteen).
         *
         * @param w the parameter
         * @param g its gradient
         * @param m the first moment
         * @param v the second moment
         * @param vMax the running maximum of v, or null
         * @param lr the learning rate
         * @param beta1 the first moment's decay
         * @param beta2 the second moment's decay
         * @param eps added to the denominator
         * @param weightDecay the weight decay
         * @param decoupled true for AdamW, false for Adam
         * @param step t, from 1
         */
        void adamStep(Storage w, Storage g, Storage m, Storage v, Storage vMax, double lr, double beta1,
                      double beta2, double eps, double weightDecay, boolean decoupled, long step);

        /**
         * {@link #adamStep} over the parameters of a group that share every scalar, the step count
         * included: parameter i is w[i], with gradient g[i] and moments m[i], v[i] and vMax[i]. Without
         * AMSGrad vMax is null as a whole; otherwise it holds a maximum for every parameter. The
         * parameters may differ in size and dtype; no storage may be written by two of them (a backend may
         * update them all at once). The result is that of calling {@code adamStep} on each parameter in
         * turn, bit for bit, which is what the default does; a backend overrides it to update many
         * parameters per pass (multi-tensor apply). Writes every w[i], m[i], v[i] and vMax[i].
         *
         * @param w the parameters
         * @param g their gradients
         * @param m their first moments
         * @param v their second moments
         * @param vMax their running maxima of v, or null
         * @param lr the learning rate
         * @param beta1 the first moment's decay
         * @param beta2 the second moment's decay
         * @param eps added to the denominator
         * @param weightDecay the weight decay
         * @param decoupled true for AdamW, false for Adam
         * @param step t, from 1
         * @throws IllegalArgumentException if g, m, v or vMax differ from w in length, an entry is null or
         *         differs from its w in dtype or size, or a written storage appears twice ({@link GroupSteps})
         */
        default void adamSteps(Storage[] w, Storage[] g, Storage[] m, Storage[] v, Storage[] vMax, double lr,
                               double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
            GroupSteps.checkAdam(w, g, m, v, vMax);
            for (int i = 0; i < w.length; i++) {
                adamStep(w[i], g[i], m[i], v[i], vMax == null ? null : vMax[i], lr, beta1, beta2, eps, weightDecay,
                        decoupled, step);
            }
        }
    }

    /**
     * Layer normalisation of rows, one pass each way. Fallback: {@code ops.LayerNorm}'s composition
     * of {@link Backend#reduce} (sums over a row), {@link Backend#binary} and {@link Backend#unary}.
     */
    public interface LayerNorm extends Capability {
        /**
         * For each of the {@code rows} rows of n elements of x: {@code mean} and the biased variance
         * {@code var} of the row, {@code rstd = 1 / sqrt(var + eps)} and
         * {@code y[r, j] = (x[r, j] - mean) * rstd * weight[j] + bias[j]}. Writes y [rows, n] and the
         * statistics mean [rows] and rstd [rows] that the backward reads; all of x's dtype.
         *
         * @param x the input [rows, n]
         * @param weight the scale [n]
         * @param bias the shift [n]
         * @param rows the number of rows
         * @param n the row length, at least 1
         * @param eps added to the variance
         * @param y the output, overwritten
         * @param mean each row's mean, overwritten
         * @param rstd each row's 1 / sqrt(var + eps), overwritten
         */
        void layerNorm(Storage x, Storage weight, Storage bias, int rows, int n, double eps, Storage y,
                       Storage mean, Storage rstd);

        /**
         * The gradients of {@link #layerNorm}: with {@code xhat = (x - mean) * rstd} and
         * {@code gh = gy * weight}, {@code gx = rstd * (gh - mean_j(gh) - xhat * mean_j(gh * xhat))} per
         * row, {@code gWeight[j] = sum_r gy[r, j] * xhat[r, j]} and {@code gBias[j] = sum_r gy[r, j]}.
         * The column sums run over the rows in order, whatever the thread count.
         *
         * @param x the forward's input [rows, n]
         * @param weight the scale [n]
         * @param mean the forward's row means
         * @param rstd the forward's row 1 / sqrt(var + eps)
         * @param gy the output's gradient [rows, n]
         * @param rows the number of rows
         * @param n the row length
         * @param gx x's gradient, overwritten
         * @param gWeight weight's gradient [n], overwritten
         * @param gBias bias's gradient [n], overwritten
         */
        void layerNormBackward(Storage x, Storage weight, Storage mean, Storage rstd, Storage gy, int rows, int n,
                               Storage gx, Storage gWeight, Storage gBias);
    }

    /**
     * An inverted-dropout mask in one pass. Fallback: {@code Tensor.dropoutMask}'s composition of a
     * uniform {@link Backend#random} fill, a comparison with p ({@link Backend#binary} GE) and a
     * scaling ({@link Backend#unary} SCALE), whose values this must give bit for bit.
     */
    public interface DropoutMask extends Capability {
        /**
         * Fills a float32 storage with {@code mask[i] = u[i] >= (float) p ? (float) (1 / (1 - p)) : 0}, where
         * u[i] is element i of the float32 uniform [0, 1) fill of {@link Backend#random} with this seed.
         *
         * @param mask the float32 storage, overwritten
         * @param p the probability of a zero, in [0, 1)
         * @param seed the seed of the uniform draws
         */
        void dropoutMask(Storage mask, double p, long seed);
    }

    /**
     * A one-pass RMSprop step. Fallback: the optimizer's update in Tensor operations.
     */
    public interface Rmsprop extends Capability {
        /**
         * One RMSprop step over a parameter, as torch.optim.RMSprop:
         * <pre>
         *   g'  = g + weightDecay w
         *   sq  = alpha sq + (1 - alpha) g'^2
         *   ga  = alpha ga + (1 - alpha) g'                 (centered, when gradAvg is not null)
         *   avg = sqrt(sq - ga^2) + eps   (centered)   or   sqrt(sq) + eps
         *   buf = momentum buf + g' / avg;  w = w - lr buf  (when buf is not null)
         *   w   = w - lr g' / avg                           (otherwise)
         * </pre>
         * Writes w, squareAvg, gradAvg and buf.
         *
         * @param w the parameter
         * @param g its gradient
         * @param squareAvg sq
         * @param gradAvg ga, or null when not centered
         * @param buf the momentum buffer, or null
         * @param lr the learning rate
         * @param alpha the averages' decay
         * @param eps added to the denominator
         * @param weightDecay the L2 coefficient
         * @param momentum the momentum
         */
        void rmspropStep(Storage w, Storage g, Storage squareAvg, Storage gradAvg, Storage buf, double lr,
                         double alpha, double eps, double weightDecay, double momentum);
    }

    /**
     * A one-pass Adagrad step. Fallback: the optimizer's update in Tensor operations.
     */
    public interface Adagrad extends Capability {
        /**
         * One Adagrad step over a parameter, as torch.optim.Adagrad, with t = {@code step} (1 on the
         * first step):
         * <pre>
         *   g'  = g + weightDecay w
         *   sum = sum + g'^2
         *   w   = w - lr / (1 + (t - 1) lrDecay) g' / (sqrt(sum) + eps)
         * </pre>
         * Writes w and sum.
         *
         * @param w the parameter
         * @param g its gradient
         * @param sum the sum of squares
         * @param lr the learning rate
         * @param lrDecay the learning-rate decay
         * @param eps added to the denominator
         * @param weightDecay the L2 coefficient
         * @param step t, from 1
         */
        void adagradStep(Storage w, Storage g, Storage sum, double lr, double lrDecay, double eps,
                         double weightDecay, long step);
    }

}
