package org.trainer.core.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

import org.trainer.core.Tensor;

/**
 * Batches for truncated backpropagation through time over one contiguous token stream, as the
 * "batchify" of PyTorch's word-language-model example and Keras's stateful recurrent layers.
 *
 * <p>The stream of M tokens is cut into N parallel streams of L = floor(M / N) tokens each
 * (the last M - N L tokens are dropped): stream i holds tokens[i L .. (i + 1) L - 1]. Window k then
 * covers positions s = k T .. s + len - 1 of every stream, with len = min(T, L - 1 - s), and has
 * <pre>
 *   features [N, len] = streams[:, s .. s + len - 1]       (INT32)
 *   targets  [N, len] = streams[:, s + 1 .. s + len]       (the next token of each position)
 * </pre>
 * so there are ceil((L - 1) / T) windows, the last possibly shorter. Row i of window k + 1
 * continues row i of window k: a recurrent model that starts window k + 1 from window k's final
 * state, {@linkplain org.trainer.core.nn.RecurrentState#detach() detached}, computes in forward
 * exactly what it would over the two windows as one sequence of 2T steps, while its backward pass
 * (and memory) stays within one window of T steps:
 * <pre>{@code
 * RecurrentState state = null;                   // zero state at the start of each epoch
 * for (Batch b : loader) {
 *     RecurrentOutput out = lstm.forward(embedding.forward(b.features()), null, state);
 *     Tensor loss = crossEntropy.compute(head.forward(out.output()), b.targets());
 *     loss.backward(); optimizer.step(); model.zeroGrad();
 *     state = out.state().detach();              // carry the values, cut the graph
 * }
 * }</pre>
 * Batches are built on demand from the token array, which is not copied: do not change it while
 * the loader is in use.
 */
public final class TbpttLoader implements Iterable<Batch> {
    private final int[] tokens;
    private final int batchSize;
    private final int window;
    private final int streamLength;

    /**
     * @param tokens    the stream of token ids, in order
     * @param batchSize N, the number of parallel streams (>= 1)
     * @param window    T, the most steps per window (>= 1)
     * @throws IllegalArgumentException if an argument is out of range, or a stream would hold fewer
     *                                  than 2 tokens (no window with a target)
     */
    public TbpttLoader(int[] tokens, int batchSize, int window) {
        if (tokens == null) {
            throw new IllegalArgumentException("TbpttLoader: tokens must not be null");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("TbpttLoader: batchSize must be >= 1, got " + batchSize);
        }
        if (window < 1) {
            throw new IllegalArgumentException("TbpttLoader: window must be >= 1, got " + window);
        }
        if (tokens.length / batchSize < 2) {
            throw new IllegalArgumentException("TbpttLoader: " + tokens.length + " tokens make streams of "
                    + tokens.length / batchSize + " tokens for batchSize " + batchSize
                    + ", expected at least 2 per stream (2 * batchSize = " + 2 * batchSize + " tokens)");
        }
        this.tokens = tokens;
        this.batchSize = batchSize;
        this.window = window;
        this.streamLength = tokens.length / batchSize;
    }

    /**
     * The number of windows per pass: ceil((L - 1) / T).
     *
     * @return the number of windows
     */
    public int size() {
        return (streamLength - 1 + window - 1) / window;
    }

    /**
     * L, the tokens per stream.
     *
     * @return L
     */
    public int streamLength() {
        return streamLength;
    }

    /**
     * The tokens left off the end of the stream: M - N L.
     *
     * @return the dropped tokens
     */
    public int droppedTokens() {
        return tokens.length - batchSize * streamLength;
    }

    /**
     * The number N of parallel streams (the rows of every window).
     *
     * @return N
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The window length T in tokens (the last window may be shorter).
     *
     * @return T
     */
    public int window() {
        return window;
    }

    /**
     * Window k: features and targets, each INT32 [N, len].
     *
     * @param k the window, from 0
     * @return the window's batch
     * @throws IllegalArgumentException if k is not in [0, size())
     */
    public Batch batch(int k) {
        if (k < 0 || k >= size()) {
            throw new IllegalArgumentException("TbpttLoader: window index must be in [0, " + size() + "), got " + k);
        }
        int start = k * window;
        int len = Math.min(window, streamLength - 1 - start);
        int[] x = new int[batchSize * len];
        int[] y = new int[batchSize * len];
        for (int i = 0; i < batchSize; i++) {
            System.arraycopy(tokens, i * streamLength + start, x, i * len, len);
            System.arraycopy(tokens, i * streamLength + start + 1, y, i * len, len);
        }
        return new Batch(Tensor.fromArray(x, batchSize, len), Tensor.fromArray(y, batchSize, len));
    }

    /** The windows in order, 0 .. size() - 1: the order that carrying states requires. */
    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("TbpttLoader: all " + size() + " windows were returned");
                }
                return batch(next++);
            }
        };
    }
}
