package org.trainer.core.nn;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * One Transformer encoder block, as PyTorch's {@code nn.TransformerEncoderLayer} with
 * {@code batch_first=True}: self-attention then a position-wise feed-forward network, each with a
 * residual connection and layer normalisation. For x [N, T, d] (d = dModel):
 * <pre>
 *   SA(x) = dropout1(MultiheadAttention(x, x, x, srcMask, srcKeyPaddingMask))
 *   FF(x) = dropout2(linear2(dropout(activation(linear1(x)))))     linear1: d -> F, linear2: F -> d
 *
 *   post-norm (normFirst false, the original Transformer):  x = norm1(x + SA(x));  y = norm2(x + FF(x))
 *   pre-norm  (normFirst true):                             x = x + SA(norm1(x));  y = x + FF(norm2(x))
 * </pre>
 * The output y is [N, T, d]. The attention's own dropout on its weights has the same probability.
 * In evaluation mode every dropout is the identity. Pre-norm trains deeper stacks without warm-up
 * because the residual path bypasses every normalisation; post-norm needs a final norm less.
 *
 * <p>Masks are those of {@link MultiheadAttention}: {@code srcMask} [T, T] (or [N * heads, T, T]),
 * e.g. {@link MultiheadAttention#causalMask}, and {@code srcKeyPaddingMask} [N, T] with non-zero
 * (INT32) at padded positions, which no query attends to; padded positions still get an output,
 * which the caller ignores (the loss's ignore index, or pooling over real positions only).
 *
 * <p>Parameters carry PyTorch's names so that a PyTorch state dict loads unchanged:
 * {@code self_attn.in_proj_weight} [3d, d], {@code self_attn.in_proj_bias} [3d],
 * {@code self_attn.out_proj.weight} [d, d], {@code self_attn.out_proj.bias} [d],
 * {@code linear1.weight} [F, d], {@code linear1.bias} [F], {@code linear2.weight} [d, F],
 * {@code linear2.bias} [d], {@code norm1.weight}, {@code norm1.bias}, {@code norm2.weight},
 * {@code norm2.bias} [d]; initialised as PyTorch does (see {@link MultiheadAttention}, {@link Linear},
 * {@link LayerNorm}).
 */
public final class TransformerEncoderLayer extends Module {
    private static final String NAME = "TransformerEncoderLayer";

    /** The feed-forward network's nonlinearity. */
    public enum FeedForwardActivation {
        /** max(0, x), PyTorch's default. */
        RELU,
        /** The exact GELU, x * Phi(x). */
        GELU
    }

    private final int dModel;
    private final int numHeads;
    private final int dimFeedforward;
    private final double dropoutP;
    private final FeedForwardActivation activationKind;
    private final boolean normFirst;
    private final double layerNormEps;
    private final long seed;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Activation activation;

    /**
     * PyTorch's defaults: feed-forward 2048, dropout 0.1, ReLU, post-norm, eps 1e-5; seeded from {@link Seeds}.
     *
     * @param dModel the model dimension d, a multiple of numHeads
     * @param numHeads the number of attention heads
     */
    public TransformerEncoderLayer(int dModel, int numHeads) {
        this(dModel, numHeads, 2048, 0.1, FeedForwardActivation.RELU, false, 1e-5, Seeds.next());
    }

    /**
     * @param dModel         the feature size d of input and output (a positive multiple of numHeads)
     * @param numHeads       attention heads
     * @param dimFeedforward the hidden size F of the feed-forward network (>= 1)
     * @param dropout        probability in [0, 1) for every dropout of the block, in training only
     * @param activation     the feed-forward nonlinearity
     * @param normFirst      pre-norm (true) or post-norm (false)
     * @param layerNormEps   eps of both layer norms (> 0)
     * @param seed           fixes the initial weights and the dropout masks
     * @throws IllegalArgumentException naming the argument that is out of range
     */
    public TransformerEncoderLayer(int dModel, int numHeads, int dimFeedforward, double dropout,
                                   FeedForwardActivation activation, boolean normFirst, double layerNormEps, long seed) {
        if (dModel < 1 || numHeads < 1 || dModel % numHeads != 0) {
            throw new IllegalArgumentException(NAME + ": dModel must be a positive multiple of numHeads, got dModel="
                    + dModel + ", numHeads=" + numHeads);
        }
        if (dimFeedforward < 1) {
            throw new IllegalArgumentException(NAME + ": dimFeedforward must be >= 1, got " + dimFeedforward);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(NAME + ": dropout must be in [0, 1), got " + dropout);
        }
        if (activation == null) {
            throw new IllegalArgumentException(NAME + ": activation must not be null (RELU or GELU)");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException(NAME + ": layerNormEps must be > 0, got " + layerNormEps);
        }
        this.dModel = dModel;
        this.numHeads = numHeads;
        this.dimFeedforward = dimFeedforward;
        this.dropoutP = dropout;
        this.activationKind = activation;
        this.normFirst = normFirst;
        this.layerNormEps = layerNormEps;
        this.seed = seed;
        // Registered in PyTorch's order, so the state dict lists the names as PyTorch's does.
        this.selfAttn = registerModule("self_attn",
                new MultiheadAttention(dModel, numHeads, dropout, true, Seeds.mix(seed + 1)));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, null, Seeds.mix(seed + 2)));
        this.dropout = registerModule("dropout", new Dropout(dropout, Seeds.mix(seed + 3)));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, null, Seeds.mix(seed + 4)));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, Seeds.mix(seed + 5)));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, Seeds.mix(seed + 6)));
        // A module rather than a function, so that forward hooks (activation monitors) see its output.
        this.activation = registerModule("activation",
                activation == FeedForwardActivation.RELU ? new Activation.ReLU() : new Activation.GELU());
    }

    /**
     * A layer with this one's settings and a copy of its current weights (same dtype and device),
     * whose dropout masks come from {@code seed} instead: what PyTorch's {@code TransformerEncoder}
     * does with {@code copy.deepcopy}, except that the copies do not share dropout masks.
     *
     * @param seed the seed of the copy's dropout masks
     * @return the copy
     */
    public TransformerEncoderLayer copy(long seed) {
        TransformerEncoderLayer c = new TransformerEncoderLayer(dModel, numHeads, dimFeedforward, dropoutP,
                activationKind, normFirst, layerNormEps, seed);
        DType dtype = linear1.weight().value().dtype();
        c.to(dtype);
        c.to(linear1.weight().value().device());
        c.loadStateDict(stateDict(), true);
        if (!isTraining()) {
            c.eval();
        }
        return c;
    }

    /** The block without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * @param src               [N, T, dModel], of the parameters' dtype
     * @param srcMask           null, or [T, T] or [N * numHeads, T, T]: INT32 non-zero hides a key from a
     *                          query, floating is added to the attention scores
     * @param srcKeyPaddingMask null, or [N, T]: INT32 non-zero marks a padded position, floating is added
     * @return [N, T, dModel]
     * @throws IllegalArgumentException naming the argument when a shape or dtype does not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        if (src == null || src.rank() != 3 || src.size(2) != dModel) {
            throw new IllegalArgumentException(NAME + ": src must be [N, T, " + dModel + "] (batch first), got "
                    + (src == null ? "null" : Shapes.str(src.shape())));
        }
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.apply(x), srcMask, srcKeyPaddingMask));
            return x.add(feedForward(norm2.apply(x)));
        }
        x = norm1.apply(x.add(selfAttention(x, srcMask, srcKeyPaddingMask)));
        return norm2.apply(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, mask, false, true).output());
    }

    private Tensor feedForward(Tensor x) {
        return dropout2.forward(linear2.apply(dropout.forward(activation.apply(linear1.apply(x)))));
    }

    /**
     * The model dimension d.
     *
     * @return d
     */
    public int dModel() {
        return dModel;
    }

    /**
     * The number of attention heads.
     *
     * @return the number of heads
     */
    public int numHeads() {
        return numHeads;
    }

    /**
     * The hidden size F of the feed-forward network.
     *
     * @return F
     */
    public int dimFeedforward() {
        return dimFeedforward;
    }

    /**
     * The dropout probability (of the residual branches, the feed-forward network and the attention weights).
     *
     * @return the dropout probability
     */
    public double dropout() {
        return dropoutP;
    }

    /**
     * The activation of the feed-forward network.
     *
     * @return the activation
     */
    public FeedForwardActivation activation() {
        return activationKind;
    }

    /**
     * True for pre-norm, false for post-norm (see the class comment).
     *
     * @return whether the block is pre-norm
     */
    public boolean normFirst() {
        return normFirst;
    }

    /**
     * The seed the initial weights and dropout masks were drawn from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return NAME + "(" + describe() + ")";
    }

    @Override
    protected String describe() {
        return "dModel=" + dModel + ", numHeads=" + numHeads + ", dimFeedforward=" + dimFeedforward + ", dropout="
                + dropoutP + ", activation=" + activationKind + ", normFirst=" + normFirst;
    }
}
