package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * What {@link MultiheadAttention} returns: {@code output} [N, L, E], and the attention weights when
 * asked for (else null): [N, L, S] averaged over the heads, or [N, heads, L, S] per head.
 */
public record AttentionOutput(Tensor output, Tensor weights) {
}
