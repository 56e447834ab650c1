package org.trainer.core.nn;

import org.trainer.core.Tensor;

/** A lookup table: int32 indices of any shape [...] -> vectors [..., dim]; weights start N(0, 1). */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final Parameter weight;

    public Embedding(int count, int dim) {
        this(count, dim, Seeds.next());
    }

    public Embedding(int count, int dim, long seed) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: count and dim must be >= 1, got count=" + count + ", dim="
                    + dim);
        }
        this.count = count;
        this.dim = dim;
        this.weight = registerParameter("weight", new Parameter(Init.normal(0, 1).create(new int[] {count, dim}, seed)));
    }

    @Override
    public Tensor forward(Tensor indices) {
        int[] s = indices.shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = dim;
        return weight.value().indexSelect(0, indices.flatten()).reshape(out);
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    protected String describe() {
        return count + ", " + dim;
    }
}
