package org.trainer.core.nn;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Multi-head attention, as PyTorch's {@code nn.MultiheadAttention} with {@code batch_first=True}.
 * For query [N, L, E], key [N, S, kdim] and value [N, S, vdim] (kdim = vdim = E unless given), with
 * heads h = 1..H of size d = E / H:
 * <pre>
 *   Q = query W_q^T + b_q,  K = key W_k^T + b_k,  V = value W_v^T + b_v     (W_q [E, E], W_k [E, kdim], W_v [E, vdim])
 *   A_h = softmax(Q_h K_h^T / sqrt(d) + M)                                  [N, L, S] per head
 *   output = concat_h(A_h V_h) W_o^T + b_o                                  (out_proj)
 * </pre>
 * where M is 0, or -infinity where a mask forbids a position: the key padding mask [N, S] hides
 * keys of each sample, the attention mask [L, S] (or [N * H, L, S], per sample and head) hides
 * keys from queries ({@link #causalMask} hides later positions). An INT32 mask forbids where it is
 * non-zero (PyTorch's bool masks, True = masked); a floating mask is added to the scores, as
 * PyTorch does with float masks (PyTorch 1.13 drops a floating key padding mask given together
 * with a floating attention mask; later versions add both, as here). A query whose every key is masked gets NaN weights, as in PyTorch.
 * In training, dropout with probability p acts on A (seeded as {@link Dropout}); the returned weights
 * are those after dropout, as PyTorch returns them.
 *
 * <p>Parameters as PyTorch names them: {@code in_proj_weight} [3E, E] (Xavier-uniform) holding
 * W_q, W_k and W_v as its row blocks, {@code in_proj_bias} [3E] (zero), {@code out_proj.weight}
 * [E, E] (U(+-1/sqrt(E))) and {@code out_proj.bias} [E] (zero); without bias neither bias exists.
 * Where kdim or vdim differs from E, the three weights are separate, as in PyTorch:
 * {@code q_proj_weight} [E, E], {@code k_proj_weight} [E, kdim] and {@code v_proj_weight}
 * [E, vdim] (each Xavier-uniform) in place of in_proj_weight; in_proj_bias stays one [3E] vector.
 */
public final class MultiheadAttention extends Module {
    private static final String NAME = "MultiheadAttention";
    private final int embedDim;
    private final int numHeads;
    private final int kdim;
    private final int vdim;
    /** in_proj_weight, or null where the projections are separate. */
    private final Parameter inProjWeight;
    /** q_proj_weight, k_proj_weight and v_proj_weight where kdim or vdim differs from E, else null. */
    private final Parameter[] separateWeights;
    private final Parameter inProjBias;
    private final Linear outProj;
    private final Dropout dropout;

    /**
     * No dropout, with biases, seeded from {@link Seeds}.
     *
     * @param embedDim the model dimension E, a multiple of numHeads
     * @param numHeads the number of heads H
     */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0, true, Seeds.next());
    }

    /**
     * Keys and values of the model dimension (kdim = vdim = embedDim).
     *
     * @param embedDim the model dimension E, a multiple of numHeads
     * @param numHeads the number of heads H
     * @param dropout probability in [0, 1) of dropping an attention weight in training
     * @param bias whether the projections have biases
     * @param seed the seed of the initial weights and the dropout masks
     * @throws IllegalArgumentException if embedDim is not a positive multiple of numHeads
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, long seed) {
        this(embedDim, numHeads, dropout, bias, embedDim, embedDim, seed);
    }

    /**
     * Keys of kdim and values of vdim features (PyTorch's {@code kdim} and {@code vdim}); where
     * either differs from embedDim the in-projection is three separate weights (see the class
     * comment).
     *
     * @param embedDim the model dimension E, a multiple of numHeads
     * @param numHeads the number of heads H
     * @param dropout probability in [0, 1) of dropping an attention weight in training
     * @param bias whether the projections have biases
     * @param kdim the features of each key, at least 1
     * @param vdim the features of each value, at least 1
     * @param seed the seed of the initial weights and the dropout masks
     * @throws IllegalArgumentException if embedDim is not a positive multiple of numHeads, or kdim or
     *         vdim is below 1
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, int kdim, int vdim,
                              long seed) {
        if (numHeads < 1 || embedDim < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException(NAME + ": embedDim must be a positive multiple of numHeads, got embedDim="
                    + embedDim + ", numHeads=" + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(NAME + ": dropout must be in [0, 1), got " + dropout);
        }
        if (kdim < 1 || vdim < 1) {
            throw new IllegalArgumentException(NAME + ": kdim and vdim must be >= 1, got kdim=" + kdim + ", vdim=" + vdim);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.kdim = kdim;
        this.vdim = vdim;
        Initializer xavier = Init.xavierUniform(1);
        if (kdim == embedDim && vdim == embedDim) {
            this.inProjWeight = registerParameter("in_proj_weight",
                    new Parameter(xavier.create(new int[] {3 * embedDim, embedDim}, Seeds.mix(seed + 1))));
            this.separateWeights = null;
        } else {
            this.inProjWeight = null;
            this.separateWeights = new Parameter[] {
                registerParameter("q_proj_weight", new Parameter(xavier.create(new int[] {embedDim, embedDim},
                        Seeds.mix(seed + 1)))),
                registerParameter("k_proj_weight", new Parameter(xavier.create(new int[] {embedDim, kdim},
                        Seeds.mix(seed + 4)))),
                registerParameter("v_proj_weight", new Parameter(xavier.create(new int[] {embedDim, vdim},
                        Seeds.mix(seed + 5))))};
        }
        this.inProjBias = bias ? registerParameter("in_proj_bias", new Parameter(Tensor.zeros(3 * embedDim))) : null;
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, null, Seeds.mix(seed + 2)));
        if (bias) {
            outProj.bias().set(Tensor.zeros(embedDim));
        }
        this.dropout = dropout > 0 ? registerModule("dropout", new Dropout(dropout, Seeds.mix(seed + 3))) : null;
    }

    /** Self-attention of x [N, L, E] without masks: the output only. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, true).output();
    }

    /**
     * Attention of query [N, L, E] over key [N, S, kdim] and value [N, S, vdim].
     *
     * @param query [N, L, E]
     * @param key [N, S, kdim]
     * @param value [N, S, vdim]
     * @param keyPaddingMask null, or [N, S]: INT32 non-zero hides a key, floating is added to its scores
     * @param attnMask       null, or [L, S] or [N * numHeads, L, S], INT32 or floating as keyPaddingMask
     * @param needWeights    whether to return the attention weights
     * @param averageWeights average the weights over the heads ([N, L, S]) rather than per head
     * @return the output [N, L, E] and, when asked for, the attention weights
     * @throws IllegalArgumentException naming the argument when a shape or dtype does not fit
     */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                                   boolean needWeights, boolean averageWeights) {
        int[] qs = check("query", query, -1, -1, embedDim);
        int n = qs[0];
        int l = qs[1];
        int[] ks = check("key", key, n, -1, kdim);
        int s = ks[1];
        check("value", value, n, s, vdim);
        DType own = outProj.weight().value().dtype();
        if (query.dtype() != own || key.dtype() != own || value.dtype() != own) {
            throw new IllegalArgumentException(NAME + ": query, key and value must have the parameters' dtype " + own
                    + ", got " + query.dtype() + ", " + key.dtype() + ", " + value.dtype());
        }
        int d = embedDim / numHeads;
        // The 1/sqrt(d) of the scores scales W_q and b_q ([E, E] and [E]) rather than Q ([N, L, E]),
        // and K goes straight to [N, H, d, S]: one copy of each fewer, forward and backward.
        Tensor q = project(query, 0, 1 / Math.sqrt(d)).reshape(n, l, numHeads, d).permute(0, 2, 1, 3);
        Tensor kT = project(key, 1, 1).reshape(n, s, numHeads, d).permute(0, 2, 3, 1);
        Tensor v = project(value, 2, 1).reshape(n, s, numHeads, d).permute(0, 2, 1, 3);
        Tensor scores = q.matmul(kT);
        if (keyPaddingMask != null) {
            scores = mask(scores, "keyPaddingMask", keyPaddingMask, new int[] {n, s}, new int[] {n, 1, 1, s});
        }
        if (attnMask != null) {
            boolean perHead = attnMask.rank() == 3;
            scores = mask(scores, "attnMask", attnMask, perHead ? new int[] {n * numHeads, l, s} : new int[] {l, s},
                    perHead ? new int[] {n, numHeads, l, s} : new int[] {l, s});
        }
        Tensor weights = scores.softmax(3);
        if (dropout != null && isTraining()) {
            weights = dropout.forward(weights);
        }
        Tensor out = weights.matmul(v).permute(0, 2, 1, 3).reshape(n, l, embedDim);
        Tensor returned = !needWeights ? null : averageWeights ? weights.mean(1, false) : weights;
        return new AttentionOutput(outProj.forward(out), returned);
    }

    /**
     * An INT32 [length, length] mask, 1 above the diagonal, that hides from each query the positions
     * after it (PyTorch's {@code generate_square_subsequent_mask} as a bool mask).
     *
     * @param length the sequence length, at least 1
     * @return the mask
     */
    public static Tensor causalMask(int length) {
        if (length < 1) {
            throw new IllegalArgumentException(NAME + ": causalMask length must be >= 1, got " + length);
        }
        int[] m = new int[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j < length; j++) {
                m[i * length + j] = 1;
            }
        }
        return Tensor.fromArray(m, length, length);
    }

    /**
     * Input x [.., .., E] (kdim, vdim) projected by block {@code which} (0 query, 1 key, 2 value)
     * of in_proj, or by the separate weight of that block, times {@code scale}: x (s W)^T + s b.
     */
    private Tensor project(Tensor x, int which, double scale) {
        Tensor w = inProjWeight == null ? separateWeights[which].value()
                : inProjWeight.value().narrow(0, which * embedDim, embedDim);
        Tensor b = inProjBias == null ? null : inProjBias.value().narrow(0, which * embedDim, embedDim);
        if (scale != 1) {
            w = w.mul(scale);
            b = b == null ? null : b.mul(scale);
        }
        return x.linear(w, b);
    }

    private Tensor mask(Tensor scores, String name, Tensor mask, int[] expected, int[] view) {
        if (!Arrays.equals(mask.shape(), expected)) {
            throw new IllegalArgumentException(NAME + ": " + name + " must be " + Shapes.str(expected)
                    + (name.equals("attnMask") ? " or [N * numHeads, L, S] = [" + scores.size(0) * numHeads + ", "
                    + scores.size(2) + ", " + scores.size(3) + "]" : "") + ", got " + Shapes.str(mask.shape()));
        }
        Tensor m = mask.reshape(view).to(scores.device());
        if (mask.dtype() == DType.INT32) {
            return scores.maskedFill(m, Double.NEGATIVE_INFINITY);
        }
        return scores.add(m.to(scores.dtype()));
    }

    private int[] check(String name, Tensor t, int n, int s, int features) {
        if (t == null) {
            throw new IllegalArgumentException(NAME + ": " + name + " must not be null");
        }
        int[] shape = t.shape();
        if (shape.length != 3 || shape[2] != features || (n >= 0 && shape[0] != n) || (s >= 0 && shape[1] != s)) {
            throw new IllegalArgumentException(NAME + ": " + name + " must be [" + (n >= 0 ? n : "N") + ", "
                    + (s >= 0 ? s : name.equals("query") ? "L" : "S") + ", " + features + "] (batch first), got "
                    + Shapes.str(shape));
        }
        return shape;
    }

    /**
     * The model dimension E of queries, keys, values and the output.
     *
     * @return E
     */
    public int embedDim() {
        return embedDim;
    }

    /**
     * The features of each key (PyTorch's {@code kdim}; embedDim unless given).
     *
     * @return kdim
     */
    public int kdim() {
        return kdim;
    }

    /**
     * The features of each value (PyTorch's {@code vdim}; embedDim unless given).
     *
     * @return vdim
     */
    public int vdim() {
        return vdim;
    }

    /**
     * The number of heads (each of size embedDim / numHeads).
     *
     * @return H
     */
    public int numHeads() {
        return numHeads;
    }

    @Override
    protected String describe() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + (kdim != embedDim ? ", kdim=" + kdim : "")
                + (vdim != embedDim ? ", vdim=" + vdim : "");
    }
}
