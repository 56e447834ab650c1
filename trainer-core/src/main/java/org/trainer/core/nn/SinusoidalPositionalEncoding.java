package org.trainer.core.nn;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;

/**
 * The fixed positional encoding of "Attention is all you need", added to a batch-first input:
 * for x [N, T, d] the output is dropout(x + P[0..T-1]), with the table P [maxLen, d]
 * <pre>
 *   P[t, 2i]     = sin(t / 10000^(2i / d))
 *   P[t, 2i + 1] = cos(t / 10000^(2i / d))
 * </pre>
 * (for odd d the last column is a sine). The table is the one of PyTorch's tutorials and
 * word-language-model example. It is computed, not learned: the module has no parameters, and the
 * table is not part of the state dict (it depends only on maxLen and d).
 */
public final class SinusoidalPositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final double[] table;
    private final Dropout dropout;
    /** The table converted to the last input's dtype and device, reused while they stay the same. */
    private Tensor cached;

    /**
     * @param dModel  the feature size d (>= 1)
     * @param maxLen  the longest sequence T accepted (>= 1)
     * @param dropout probability in [0, 1) of the dropout after the addition, in training only
     * @param seed    fixes the dropout masks
     * @throws IllegalArgumentException naming the argument that is out of range
     */
    public SinusoidalPositionalEncoding(int dModel, int maxLen, double dropout, long seed) {
        if (dModel < 1 || maxLen < 1) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: dModel and maxLen must be >= 1, got dModel="
                    + dModel + ", maxLen=" + maxLen);
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.dropout = registerModule("dropout", new Dropout(dropout, seed));
        this.table = new double[maxLen * dModel];
        for (int t = 0; t < maxLen; t++) {
            for (int j = 0; j < dModel; j++) {
                // exp(-ln(10000) 2i / d) rather than a power: the same rounding as PyTorch's table.
                double frequency = Math.exp((j - j % 2) * (-Math.log(10000.0) / dModel));
                table[t * dModel + j] = j % 2 == 0 ? Math.sin(t * frequency) : Math.cos(t * frequency);
            }
        }
    }

    /**
     * The table P [maxLen, dModel] in float64.
     *
     * @return a copy of the table
     */
    public Tensor table() {
        return Tensor.fromArray(table.clone(), maxLen, dModel);
    }

    /**
     * @param x [N, T, dModel] with T &lt;= maxLen
     * @return dropout(x + P[0..T-1]), [N, T, dModel]
     */
    @Override
    public Tensor forward(Tensor x) {
        int t = PositionalChecks.length("SinusoidalPositionalEncoding", x, dModel, maxLen);
        if (cached == null || cached.dtype() != x.dtype() || !cached.device().equals(x.device())) {
            // The converted table outlives the training step that first needs it.
            try (GradMode off = Tensor.noGrad(); MemoryScope keep = MemoryScope.persistent()) {
                cached = table().to(x.dtype()).to(x.device()).detach();
            }
        }
        return dropout.forward(x.add(cached.narrow(0, 0, t)));
    }

    @Override
    protected String describe() {
        return "dModel=" + dModel + ", maxLen=" + maxLen;
    }

    @Override
    public String toString() {
        return "SinusoidalPositionalEncoding(" + describe() + ", " + dropout + ")";
    }
}
