package org.trainer.core.nn;

import java.util.OptionalInt;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;

/**
 * A lookup table: int32 indices of any shape [...] -> vectors [..., dim]; weights start N(0, 1).
 *
 * <p>With a padding index p (PyTorch's {@code padding_idx}), row p starts at zero and gets no
 * gradient, so it stays whatever it was set to (zero unless loaded otherwise) while the other rows
 * train; lookups of p still return row p. A negative p counts from the end, as in PyTorch.
 */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final Parameter weight;
    /** The padding row, normalized to [0, count), or -1 when there is none. */
    private final int paddingIdx;

    /**
     * A table of {@code count} vectors of size {@code dim}, without a padding row, seeded from {@link Seeds}.
     *
     * @param count the number of rows (the vocabulary size)
     * @param dim the size of each vector
     */
    public Embedding(int count, int dim) {
        this(count, dim, Seeds.next());
    }

    /**
     * A table of {@code count} vectors of size {@code dim}, without a padding row, drawn from this seed.
     *
     * @param count the number of rows (the vocabulary size)
     * @param dim the size of each vector
     * @param seed the seed of the initial weights
     */
    public Embedding(int count, int dim, long seed) {
        this(count, dim, null, seed);
    }

    /**
     * @param count the number of rows, at least 1
     * @param dim the size of each vector, at least 1
     * @param paddingIdx the padding row in [-count, count), or null for none
     * @param seed the seed of the initial weights
     */
    public Embedding(int count, int dim, Integer paddingIdx, long seed) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: count and dim must be >= 1, got count=" + count + ", dim="
                    + dim);
        }
        if (paddingIdx != null && (paddingIdx < -count || paddingIdx >= count)) {
            throw new IllegalArgumentException("Embedding: paddingIdx must be in [" + -count + ", " + count
                    + ") for " + count + " rows, got " + paddingIdx);
        }
        this.count = count;
        this.dim = dim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + count : paddingIdx;
        Tensor init = Init.normal(0, 1).create(new int[] {count, dim}, seed);
        if (this.paddingIdx >= 0) {
            try (GradMode off = Tensor.noGrad()) {
                Tensor isPad = Tensor.arange(count).reshape(count, 1).eq(this.paddingIdx);
                init = init.maskedFill(isPad, 0);
            }
        }
        this.weight = registerParameter("weight", new Parameter(init));
    }

    @Override
    public Tensor forward(Tensor indices) {
        int[] s = indices.shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = dim;
        Tensor flat = indices.flatten();
        Tensor rows = weight.value().indexSelect(0, flat);
        if (paddingIdx >= 0) {
            // The padding positions read a detached copy of the row, so no gradient reaches it.
            // The lookup reads the indices on the host already (to range-check them), so the mask is made there.
            int[] idx = flat.toIntArray();
            float[] pad = new float[idx.length];
            for (int i = 0; i < idx.length; i++) {
                pad[i] = idx[i] == paddingIdx ? 1 : 0;
            }
            Tensor isPad = Tensor.fromArray(pad, idx.length, 1).to(rows.device());
            rows = Tensor.where(isPad, weight.value().detach().narrow(0, paddingIdx, 1), rows);
        }
        return rows.reshape(out);
    }

    /**
     * The table [count, dim].
     *
     * @return the table
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The padding row (normalized to [0, count)), if there is one.
     *
     * @return the padding row, or empty
     */
    public OptionalInt paddingIdx() {
        return paddingIdx < 0 ? OptionalInt.empty() : OptionalInt.of(paddingIdx);
    }

    @Override
    protected String describe() {
        return count + ", " + dim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "");
    }
}
