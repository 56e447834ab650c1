package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * A stack of Transformer encoder blocks, as PyTorch's {@code nn.TransformerEncoder}: for x [N, T, d],
 * <pre>
 *   x_0 = x,  x_{k+1} = layer_k(x_k, srcMask, srcKeyPaddingMask)  (k = 0 .. L-1),  y = norm(x_L)  (or x_L)
 * </pre>
 * Every layer gets the same masks. The layers are copies of a prototype
 * ({@link TransformerEncoderLayer#copy}): they start with the prototype's weights, as PyTorch's
 * deep copies do, and draw their dropout masks from seeds of their own.
 *
 * <p>Parameter names are PyTorch's: {@code layers.0.self_attn.in_proj_weight}, ...,
 * {@code layers.1.linear2.bias}, ..., and {@code norm.weight}, {@code norm.bias} with a final norm
 * (which a pre-norm stack usually wants, since its last block ends without one).
 */
public final class TransformerEncoder extends Module {
    private final Sequential layers;
    private final LayerNorm norm;

    /**
     * @param layer     the prototype block (not itself part of the stack; its weights are copied)
     * @param numLayers L &gt;= 1
     * @param norm      a final normalisation, or null for none
     * @throws IllegalArgumentException if layer is null or numLayers &lt; 1
     */
    public TransformerEncoder(TransformerEncoderLayer layer, int numLayers, LayerNorm norm) {
        if (layer == null) {
            throw new IllegalArgumentException("TransformerEncoder: layer must not be null");
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: numLayers must be >= 1, got " + numLayers);
        }
        this.layers = registerModule("layers", new Sequential());
        for (int k = 0; k < numLayers; k++) {
            layers.add(layer.copy(Seeds.mix(layer.seed() + 0x5EED_0000L + k)));
        }
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** The stack without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * @param src               [N, T, d]
     * @param srcMask           null, or [T, T] or [N * heads, T, T] (see {@link TransformerEncoderLayer})
     * @param srcKeyPaddingMask null, or [N, T], non-zero (INT32) at padded positions
     * @return [N, T, d]
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        Tensor x = src;
        for (int k = 0; k < layers.size(); k++) {
            x = layer(k).forward(x, srcMask, srcKeyPaddingMask);
        }
        return norm == null ? x : norm.apply(x);
    }

    /**
     * Block k of the stack.
     *
     * @param k the block's index, in [0, numLayers)
     * @return the block
     */
    public TransformerEncoderLayer layer(int k) {
        if (k < 0 || k >= layers.size()) {
            throw new IllegalArgumentException("TransformerEncoder: layer index must be in [0, " + layers.size()
                    + "), got " + k);
        }
        return (TransformerEncoderLayer) layers.get(k);
    }

    /**
     * The number of blocks L in the stack.
     *
     * @return L
     */
    public int numLayers() {
        return layers.size();
    }
}
