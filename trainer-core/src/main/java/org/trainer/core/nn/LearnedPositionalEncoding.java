package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * A learned positional encoding (as in BERT and GPT): an {@link Embedding} of the positions
 * 0..maxLen-1 added to a batch-first input. For x [N, T, d] the output is
 * dropout(x + E[0..T-1]) with the trained table E = {@code embedding.weight} [maxLen, d], which
 * starts N(0, 1) as an {@link Embedding} does. Unlike {@link SinusoidalPositionalEncoding} it cannot
 * encode positions beyond maxLen.
 */
public final class LearnedPositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final Embedding embedding;
    private final Dropout dropout;

    /**
     * @param dModel  the feature size d (>= 1)
     * @param maxLen  the longest sequence T accepted (>= 1)
     * @param dropout probability in [0, 1) of the dropout after the addition, in training only
     * @param seed    fixes the initial table and the dropout masks
     * @throws IllegalArgumentException naming the argument that is out of range
     */
    public LearnedPositionalEncoding(int dModel, int maxLen, double dropout, long seed) {
        if (dModel < 1 || maxLen < 1) {
            throw new IllegalArgumentException("LearnedPositionalEncoding: dModel and maxLen must be >= 1, got dModel="
                    + dModel + ", maxLen=" + maxLen);
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.embedding = registerModule("embedding", new Embedding(maxLen, dModel, Seeds.mix(seed + 1)));
        this.dropout = registerModule("dropout", new Dropout(dropout, Seeds.mix(seed + 2)));
    }

    /**
     * @param x [N, T, dModel] with T &lt;= maxLen, of the table's dtype
     * @return dropout(x + E[0..T-1]), [N, T, dModel]
     */
    @Override
    public Tensor forward(Tensor x) {
        int t = PositionalChecks.length("LearnedPositionalEncoding", x, dModel, maxLen);
        return dropout.forward(x.add(embedding.weight().value().narrow(0, 0, t)));
    }

    /**
     * The learned table [maxLen, dModel] (registered as {@code embedding}).
     *
     * @return the table's embedding
     */
    public Embedding embedding() {
        return embedding;
    }

    @Override
    protected String describe() {
        return "dModel=" + dModel + ", maxLen=" + maxLen;
    }
}
