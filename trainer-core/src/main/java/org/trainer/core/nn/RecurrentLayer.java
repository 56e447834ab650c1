package org.trainer.core.nn;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.GradMode;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * The loop that {@link RNN}, {@link LSTM} and {@link GRU} share; each supplies only its cell, the
 * map from one step's input projection and the previous state to the next state.
 *
 * <p>Parameters carry PyTorch's names and shapes, so a PyTorch state dict loads unchanged: for layer
 * k, {@code weight_ih_l{k}} [G*H, in_k], {@code weight_hh_l{k}} [G*H, H], {@code bias_ih_l{k}} [G*H]
 * and {@code bias_hh_l{k}} [G*H], the backward direction's with the suffix {@code _reverse}, where
 * G is the number of gate blocks (1, 4 or 3), in_0 the input size and in_k = D*H above. All start
 * U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch.
 *
 * <p><b>Projections</b> (an {@link LSTM} with projSize P &gt; 0, PyTorch's {@code proj_size}): each
 * layer and direction also has {@code weight_hr_l{k}} [P, H], which maps the cell's output to the
 * hidden state, h_t = (o_t * tanh(c_t)) W_hr^T, so h, the output features per direction and
 * in_k = D*P above are P wide, weight_hh is [G*H, P], while the cell state c stays H wide.
 *
 * <p>Per layer and direction, the input projection x W_ih^T + b_ih of all T steps is one matrix
 * product; each step then adds h W_hh^T + b_hh (one product) and applies the cell. The backward
 * direction visits the steps from T-1 down to 0. A layer called without lengths (and, for an LSTM,
 * without projections) runs the recurrence as one fused op where the backend has one (the CPU's
 * does), with the same math.
 *
 * <p><b>Variable lengths</b> (PyTorch's packed sequences): given lengths L_n in [1, T], step t of
 * sample n is real when t &lt; L_n. At padded steps the state is left unchanged and the output is
 * zero, so the forward direction's final state is the state after step L_n - 1 and the backward
 * direction starts from the initial state at step L_n - 1, exactly as
 * {@code pack_padded_sequence(..., enforce_sorted=False)} followed by {@code pad_packed_sequence}.
 *
 * <p>Dropout between layers draws its masks as {@link Dropout} does (a sub-module named
 * "dropout", present when dropout > 0 and numLayers > 1), so checkpoints restore it.
 */
public abstract class RecurrentLayer extends Module {
    private final String name;
    private final int inputSize;
    private final int hiddenSize;
    private final int gates;
    /** The width of h: projSize where there are projections, else hiddenSize. */
    private final int stateSize;
    private final RecurrentOptions options;
    private final long seed;
    /**
     * Per layer * direction: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr (biases null without
     * bias, weight_hr null without projections).
     */
    private final Parameter[][] weights;
    private final Dropout dropout;

    RecurrentLayer(String name, int inputSize, int hiddenSize, int gates, RecurrentOptions options, long seed) {
        this(name, inputSize, hiddenSize, 0, gates, options, seed);
    }

    /** A layer whose h is projected to projSize features (0: none) by weight_hr. */
    RecurrentLayer(String name, int inputSize, int hiddenSize, int projSize, int gates, RecurrentOptions options,
                   long seed) {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException(name + ": inputSize and hiddenSize must be >= 1, got inputSize="
                    + inputSize + ", hiddenSize=" + hiddenSize);
        }
        if (projSize < 0 || projSize >= hiddenSize) {
            throw new IllegalArgumentException(name + ": projSize must be 0 (no projection) or in [1, hiddenSize) = [1, "
                    + hiddenSize + "), got " + projSize);
        }
        if (options == null) {
            throw new IllegalArgumentException(name + ": options must not be null");
        }
        this.name = name;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.gates = gates;
        this.stateSize = projSize > 0 ? projSize : hiddenSize;
        this.options = options;
        this.seed = seed;
        int d = options.directions();
        this.weights = new Parameter[options.numLayers() * d][];
        Initializer init = Init.uniform(-1 / Math.sqrt(hiddenSize), 1 / Math.sqrt(hiddenSize));
        int g = gates * hiddenSize;
        long s = seed;
        for (int layer = 0; layer < options.numLayers(); layer++) {
            int in = layer == 0 ? inputSize : d * stateSize;
            for (int dir = 0; dir < d; dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                Parameter[] w = new Parameter[5];
                w[0] = registerParameter("weight_ih" + suffix, new Parameter(init.create(new int[] {g, in}, Seeds.mix(++s))));
                w[1] = registerParameter("weight_hh" + suffix, new Parameter(init.create(new int[] {g, stateSize},
                        Seeds.mix(++s))));
                if (options.bias()) {
                    w[2] = registerParameter("bias_ih" + suffix, new Parameter(init.create(new int[] {g}, Seeds.mix(++s))));
                    w[3] = registerParameter("bias_hh" + suffix, new Parameter(init.create(new int[] {g}, Seeds.mix(++s))));
                }
                if (projSize > 0) {
                    w[4] = registerParameter("weight_hr" + suffix, new Parameter(init.create(
                            new int[] {projSize, hiddenSize}, Seeds.mix(++s))));
                }
                weights[layer * d + dir] = w;
            }
        }
        this.dropout = options.dropout() > 0 && options.numLayers() > 1
                ? registerModule("dropout", new Dropout(options.dropout(), Seeds.mix(seed ^ 0x64726f70L))) : null;
    }

    /**
     * One step of the cell for a batch of N: {@code xProj} is the step's input projection
     * x W_ih^T + b_ih [N, G*H]; h [N, H] (or [N, P] with projections) and c [N, H] (null unless
     * LSTM) the previous state. Returns the new {h, c} (c null unless LSTM), h before the projection.
     */
    abstract Tensor[] cell(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh);

    /**
     * The whole recurrence of one layer and direction as one fused op, where the layer and the
     * backend have one: from xProj [T, N, G*H] and the initial h and c [N, H], the outputs packed
     * [T + 1, N, H] as {@link org.trainer.core.ops.LstmRecurrence} packs them (rows 0..T-1 the
     * output of each step by time, row T the final c), or [T, N, H] for a layer without a cell
     * state ({@link org.trainer.core.ops.GruRecurrence}, {@link org.trainer.core.ops.RnnRecurrence}).
     * Null (the default) runs the steps one {@link #cell} at a time, as a call with lengths or
     * projections always does.
     */
    Tensor fusedRecurrence(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh, boolean reverse) {
        return null;
    }

    /** Whether the layer has a cell state (LSTM). */
    abstract boolean hasCellState();

    /** The output sequence only, from zero initial states and full-length sequences. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /**
     * The output sequence and final states from given initial states and full-length sequences.
     *
     * @param input [N, T, inputSize] with batchFirst, else [T, N, inputSize]
     * @param initial null (zero states) or the initial h (and c for an LSTM), each [layers * D, N, H]
     *                (h [layers * D, N, projSize] with projections)
     * @return the output sequence and the final states
     */
    public RecurrentOutput forward(Tensor input, RecurrentState initial) {
        return forward(input, null, initial);
    }

    /**
     * Runs the layer over a batch of sequences, or over one unbatched sequence as PyTorch does.
     *
     * @param input   [N, T, inputSize] with batchFirst, else [T, N, inputSize], of the parameters' dtype;
     *                or one sequence [T, inputSize] (either way), whose output is [T, D*H] and states
     *                [layers * D, H] (D*P and P wide where h is, with projections)
     * @param lengths null (every sequence has T steps) or int32 [N] with each length in [1, T]; null
     *                for an unbatched sequence
     * @param initial null (zero states) or the initial h (and c for an LSTM; a null c starts at zero),
     *                each [layers * D, N, H]; h is [layers * D, N, projSize] with projections
     * @return the output sequence and the final states (see {@link RecurrentOutput})
     * @throws IllegalArgumentException naming the argument when a shape, dtype or length is wrong
     */
    public RecurrentOutput forward(Tensor input, Tensor lengths, RecurrentState initial) {
        if (input != null && input.rank() == 2 && input.size(1) == inputSize) {
            return unbatched(input, lengths, initial);
        }
        checkInput(input);
        Tensor x = options.batchFirst() ? input.transpose(0, 1) : input;
        int steps = x.size(0);
        int n = x.size(1);
        int[] len = checkLengths(lengths, n, steps);
        int d = options.directions();
        int layers = options.numLayers();
        Tensor h0 = initialState("h", initial == null ? null : initial.h(), new int[] {layers * d, n, stateSize}, input);
        Tensor c0 = null;
        if (hasCellState()) {
            c0 = initialState("c", initial == null ? null : initial.c(), new int[] {layers * d, n, hiddenSize}, input);
        } else if (initial != null && initial.c() != null) {
            throw new IllegalArgumentException(name + ": initial.c must be null (only an LSTM has a cell state), got "
                    + Shapes.str(initial.c().shape()));
        }
        Tensor[] masks = len == null ? null : masks(len, steps, input);
        Tensor zero = Tensor.zeros(input.backend(), input.dtype(), 1);
        Tensor[] hN = new Tensor[layers * d];
        Tensor[] cN = new Tensor[layers * d];
        Tensor layerInput = x;
        for (int layer = 0; layer < layers; layer++) {
            if (layer > 0 && dropout != null) {
                layerInput = dropout.forward(layerInput);
            }
            Tensor[] directionOutputs = new Tensor[d];
            for (int dir = 0; dir < d; dir++) {
                int k = layer * d + dir;
                Parameter[] w = weights[k];
                Tensor xProj = layerInput.linear(w[0].value(), bias(w[2]));
                Tensor h = h0.narrow(0, k, 1).reshape(n, stateSize);
                Tensor c = c0 == null ? null : c0.narrow(0, k, 1).reshape(n, hiddenSize);
                Tensor packed = masks == null && w[4] == null
                        ? fusedRecurrence(xProj, h, c, w[1].value(), bias(w[3]), dir == 1) : null;
                if (packed != null) {
                    // A layer without a cell state packs nothing after the outputs: no copy of them.
                    directionOutputs[dir] = packed.size(0) == steps ? packed : packed.narrow(0, 0, steps);
                    hN[k] = packed.narrow(0, dir == 0 ? steps - 1 : 0, 1).reshape(n, hiddenSize);
                    cN[k] = hasCellState() ? packed.narrow(0, steps, 1).reshape(n, hiddenSize) : null;
                    continue;
                }
                Tensor[] proj = new Tensor[steps];
                splitSteps(xProj, 0, proj);
                Tensor[] ys = new Tensor[steps];
                for (int s = 0; s < steps; s++) {
                    int t = dir == 0 ? s : steps - 1 - s;
                    Tensor[] next = cell(proj[t].reshape(n, gates * hiddenSize), h, c, w[1].value(), bias(w[3]));
                    if (w[4] != null) {
                        next[0] = next[0].linear(w[4].value(), null);
                    }
                    if (masks == null || masks[t] == null) {
                        h = next[0];
                        c = next[1];
                        ys[t] = h;
                    } else {
                        ys[t] = Tensor.where(masks[t], next[0], zero);
                        h = Tensor.where(masks[t], next[0], h);
                        c = c == null ? null : Tensor.where(masks[t], next[1], c);
                    }
                }
                directionOutputs[dir] = Tensor.stack(0, ys);
                hN[k] = h;
                cN[k] = c;
            }
            layerInput = d == 1 ? directionOutputs[0] : Tensor.concat(2, directionOutputs);
        }
        Tensor output = options.batchFirst() ? layerInput.transpose(0, 1) : layerInput;
        return new RecurrentOutput(output, Tensor.stack(0, hN), hasCellState() ? Tensor.stack(0, cN) : null);
    }

    /**
     * Splits x [T, ...] into its T steps by halving: the backward of each narrow writes into a
     * zero tensor of its source's size, so T narrows of x itself would cost O(T^2) per backward
     * pass, the halving O(T log T).
     */
    private static void splitSteps(Tensor x, int offset, Tensor[] out) {
        int len = x.size(0);
        if (len == 1) {
            out[offset] = x;
            return;
        }
        int half = len / 2;
        splitSteps(x.narrow(0, 0, half), offset, out);
        splitSteps(x.narrow(0, half, len - half), offset + half, out);
    }

    /** One sequence [T, inputSize] as a batch of one (axis N inserted), with N removed again after. */
    private RecurrentOutput unbatched(Tensor input, Tensor lengths, RecurrentState initial) {
        if (lengths != null) {
            throw new IllegalArgumentException(name + ": lengths must be null for an unbatched input "
                    + Shapes.str(input.shape()) + ", got " + Shapes.str(lengths.shape()));
        }
        RecurrentState batched = null;
        if (initial != null) {
            batched = new RecurrentState(unbatchedState("h", initial.h(), stateSize),
                    unbatchedState("c", initial.c(), hiddenSize));
        }
        RecurrentOutput out = forward(input.unsqueeze(options.batchFirst() ? 0 : 1), null, batched);
        return new RecurrentOutput(out.output().squeeze(options.batchFirst() ? 0 : 1), out.h().squeeze(1),
                out.c() == null ? null : out.c().squeeze(1));
    }

    private Tensor unbatchedState(String which, Tensor state, int size) {
        if (state == null) {
            return null;
        }
        int[] shape = {options.numLayers() * options.directions(), size};
        if (!Arrays.equals(state.shape(), shape)) {
            throw new IllegalArgumentException(name + ": initial." + which + " must be " + Shapes.str(shape)
                    + " (layers * directions, " + sizeName(which) + ") for an unbatched input, got "
                    + Shapes.str(state.shape()));
        }
        return state.unsqueeze(1);
    }

    private static Tensor bias(Parameter p) {
        return p == null ? null : p.value();
    }

    private void checkInput(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException(name + ": input must not be null");
        }
        String layout = options.batchFirst() ? "[N, T, " + inputSize + "] with batchFirst"
                : "[T, N, " + inputSize + "] (time first)";
        if (input.rank() != 3 || input.size(2) != inputSize) {
            throw new IllegalArgumentException(name + ": input must be " + layout + ", got "
                    + Shapes.str(input.shape()));
        }
        if (input.size(0) == 0 || input.size(1) == 0) {
            throw new IllegalArgumentException(name + ": input must have at least one sequence and one step, got "
                    + Shapes.str(input.shape()));
        }
        DType own = weights[0][0].value().dtype();
        if (input.dtype() != own) {
            throw new IllegalArgumentException(name + ": input dtype is " + input.dtype() + ", the parameters' is "
                    + own + " (convert the input, or the layer with to(DType))");
        }
    }

    private int[] checkLengths(Tensor lengths, int n, int steps) {
        if (lengths == null) {
            return null;
        }
        if (lengths.dtype() != DType.INT32 || lengths.rank() != 1 || lengths.size(0) != n) {
            throw new IllegalArgumentException(name + ": lengths must be INT32 [" + n + "], got " + lengths.dtype()
                    + " " + Shapes.str(lengths.shape()));
        }
        int[] len = lengths.toIntArray();
        for (int i = 0; i < n; i++) {
            if (len[i] < 1 || len[i] > steps) {
                throw new IllegalArgumentException(name + ": lengths[" + i + "] is " + len[i]
                        + ", expected a length in [1, " + steps + "] (the input has " + steps + " steps)");
            }
        }
        return len;
    }

    private Tensor initialState(String which, Tensor given, int[] shape, Tensor input) {
        if (given == null) {
            return Tensor.zeros(input.backend(), input.dtype(), shape);
        }
        if (!Arrays.equals(given.shape(), shape)) {
            throw new IllegalArgumentException(name + ": initial." + which + " must be " + Shapes.str(shape)
                    + " (layers * directions, N, " + sizeName(which) + "), got " + Shapes.str(given.shape()));
        }
        if (given.dtype() != input.dtype() || !given.device().equals(input.device())) {
            throw new IllegalArgumentException(name + ": initial." + which + " is " + given.dtype() + " on "
                    + given.device() + ", the input " + input.dtype() + " on " + input.device());
        }
        return given;
    }

    /** What the last axis of state {@code which} ("h" or "c") is sized by, for messages. */
    private String sizeName(String which) {
        return which.equals("h") && stateSize != hiddenSize ? "projSize" : "hiddenSize";
    }

    /**
     * Per step, a [N, 1] mask of the samples whose step is real, or null where every sample's is
     * (those steps need no masking).
     */
    private static Tensor[] masks(int[] len, int steps, Tensor like) {
        Tensor[] masks = new Tensor[steps];
        int n = len.length;
        try (GradMode off = Tensor.noGrad()) {
            for (int t = 0; t < steps; t++) {
                float[] m = new float[n];
                boolean all = true;
                for (int i = 0; i < n; i++) {
                    m[i] = t < len[i] ? 1 : 0;
                    all &= t < len[i];
                }
                masks[t] = all ? null : Tensor.fromArray(m, n, 1).to(like.device());
            }
        }
        return masks;
    }

    /**
     * The number of input features per step.
     *
     * @return the input features per step
     */
    public int inputSize() {
        return inputSize;
    }

    /**
     * The hidden state size H per direction.
     *
     * @return H
     */
    public int hiddenSize() {
        return hiddenSize;
    }

    /**
     * The size P of the projected hidden state (PyTorch's {@code proj_size}): 0 where there are no
     * projections (always, but for an {@link LSTM} built with one), else in [1, hiddenSize).
     *
     * @return P, or 0
     */
    public int projSize() {
        return stateSize == hiddenSize ? 0 : stateSize;
    }

    /**
     * The layer's options (layers, bias, batch-first, dropout, directions).
     *
     * @return the options
     */
    public RecurrentOptions options() {
        return options;
    }

    /**
     * The seed the initial weights were drawn from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /** The layer and its settings (the dropout sub-module is one of them). */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + describe() + ")";
    }

    @Override
    protected String describe() {
        return inputSize + ", " + hiddenSize + (projSize() > 0 ? ", projSize=" + projSize() : "")
                + (options.numLayers() > 1 ? ", numLayers=" + options.numLayers() : "")
                + (options.bias() ? "" : ", bias=false") + (options.batchFirst() ? ", batchFirst=true" : "")
                + (options.dropout() > 0 ? ", dropout=" + options.dropout() : "")
                + (options.bidirectional() ? ", bidirectional=true" : "");
    }
}
