package org.trainer.bench;

import java.util.ArrayList;
import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Embedding;
import org.trainer.core.nn.GRU;
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.LayerNorm;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.MultiheadAttention;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.RNN;
import org.trainer.core.nn.RecurrentLayer;
import org.trainer.core.nn.RecurrentOptions;
import org.trainer.core.nn.Seeds;
import org.trainer.optim.Adam;

/**
 * Training steps of sequence models, the same as {@code peers.py}'s {@code char_lstm_step} and
 * {@code transformer_step}: forward, loss, backward inside a memory scope, then an Adam update
 * (lr 1e-3), on a fixed random batch.
 */
abstract class SequenceStep {
    /** Sequence length and batch size of both workloads. */
    static final int STEPS = 64;
    static final int BATCH = 32;

    private final MemoryScope.Pool pool = new MemoryScope.Pool();
    private Adam optimizer;

    /** The loss of the fixed batch, recorded for autograd. */
    abstract Tensor loss();

    final void setParameters(List<Parameter> parameters) {
        optimizer = new Adam(parameters, 1e-3);
    }

    /** Runs one step and returns the loss. */
    final double run() {
        double value;
        try (MemoryScope step = MemoryScope.open(pool)) {
            Tensor l = loss();
            optimizer.zeroGrad();
            l.backward();
            value = l.item();
        }
        optimizer.step();
        return value;
    }

    /**
     * A character-level language model: embedding 96 -> 64, a one-layer LSTM (or, with a cell
     * named, GRU or tanh RNN) with hidden size 256, a linear read-out to 96 classes, cross-entropy
     * over every one of the 64 x 32 positions (time first, as PyTorch's default layout).
     */
    static final class CharLstm extends SequenceStep {
        static final int VOCAB = 96;
        static final int EMBED = 64;
        static final int HIDDEN = 256;

        private final Embedding embedding;
        private final RecurrentLayer lstm;
        private final Linear readout;
        private final CrossEntropyLoss loss = new CrossEntropyLoss();
        private final Tensor tokens;
        private final Tensor targets;

        CharLstm(long seed) {
            this("lstm", seed);
        }

        /** The model with this recurrent cell: "lstm", "gru" or "rnn" (tanh). */
        CharLstm(String cell, long seed) {
            Seeds.set(seed);
            embedding = new Embedding(VOCAB, EMBED);
            lstm = switch (cell) {
                case "lstm" -> new LSTM(EMBED, HIDDEN, RecurrentOptions.defaults());
                case "gru" -> new GRU(EMBED, HIDDEN, RecurrentOptions.defaults());
                case "rnn" -> new RNN(EMBED, HIDDEN, RNN.Nonlinearity.TANH, RecurrentOptions.defaults());
                default -> throw new IllegalArgumentException("CharLstm: cell must be lstm, gru or rnn, got " + cell);
            };
            readout = new Linear(HIDDEN, VOCAB);
            List<Parameter> params = new ArrayList<>(embedding.parameters());
            params.addAll(lstm.parameters());
            params.addAll(readout.parameters());
            setParameters(params);
            int[] ids = new int[(STEPS + 1) * BATCH];
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(VOCAB);
            }
            // Inputs are positions 0..T-1 of each sequence, targets 1..T: the next character.
            tokens = Tensor.fromArray(java.util.Arrays.copyOfRange(ids, 0, STEPS * BATCH), STEPS, BATCH);
            targets = Tensor.fromArray(java.util.Arrays.copyOfRange(ids, BATCH, (STEPS + 1) * BATCH), STEPS * BATCH);
        }

        @Override
        Tensor loss() {
            Tensor h = lstm.forward(embedding.forward(tokens));
            return loss.compute(readout.forward(h.reshape(STEPS * BATCH, HIDDEN)), targets);
        }

        /** Tokens per step, for tokens/s. */
        static int tokens() {
            return STEPS * BATCH;
        }
    }

    /**
     * Two post-norm Transformer encoder layers as PyTorch's {@code nn.TransformerEncoderLayer}
     * (d_model 128, 4 heads, feed-forward 512, ReLU, dropout 0.1, batch first), composed from
     * {@link MultiheadAttention}, {@link LayerNorm}, {@link Linear} and {@link Dropout}; the loss is
     * the mean squared error of the output against a fixed random target.
     */
    static final class Transformer extends SequenceStep {
        static final int D_MODEL = 128;
        static final int HEADS = 4;
        static final int FEED_FORWARD = 512;
        static final int LAYERS = 2;
        static final double DROPOUT = 0.1;

        private final EncoderLayer[] layers = new EncoderLayer[LAYERS];
        private final Tensor x;
        private final Tensor target;

        /**
         * @param seed the seed of the weights and data
         * @param gelu whether the feed-forward blocks use GELU (as BERT-style models do) instead of ReLU
         */
        Transformer(long seed, boolean gelu) {
            Seeds.set(seed);
            List<Parameter> params = new ArrayList<>();
            for (int i = 0; i < LAYERS; i++) {
                layers[i] = new EncoderLayer(Seeds.next(), gelu);
                params.addAll(layers[i].parameters());
            }
            setParameters(params);
            x = Tensor.randn(seed, BATCH, STEPS, D_MODEL);
            target = Tensor.randn(seed + 1, BATCH, STEPS, D_MODEL);
        }

        @Override
        Tensor loss() {
            Tensor h = x;
            for (EncoderLayer layer : layers) {
                h = layer.forward(h);
            }
            Tensor diff = h.sub(target);
            return diff.mul(diff).mean();
        }
    }

    /** x = norm1(x + dropout(attn(x))); x = norm2(x + dropout(linear2(dropout(relu(linear1(x)))))), or gelu. */
    static final class EncoderLayer extends Module {
        private final MultiheadAttention attention;
        private final Linear linear1;
        private final Linear linear2;
        private final LayerNorm norm1;
        private final LayerNorm norm2;
        private final Dropout dropout;
        private final Dropout dropout1;
        private final Dropout dropout2;
        private final boolean gelu;

        EncoderLayer(long seed, boolean gelu) {
            this.gelu = gelu;
            int d = Transformer.D_MODEL;
            attention = registerModule("self_attn",
                    new MultiheadAttention(d, Transformer.HEADS, Transformer.DROPOUT, true, Seeds.mix(seed + 1)));
            linear1 = registerModule("linear1", new Linear(d, Transformer.FEED_FORWARD, true, null, Seeds.mix(seed + 2)));
            linear2 = registerModule("linear2", new Linear(Transformer.FEED_FORWARD, d, true, null, Seeds.mix(seed + 3)));
            norm1 = registerModule("norm1", new LayerNorm(d));
            norm2 = registerModule("norm2", new LayerNorm(d));
            dropout = registerModule("dropout", new Dropout(Transformer.DROPOUT, Seeds.mix(seed + 4)));
            dropout1 = registerModule("dropout1", new Dropout(Transformer.DROPOUT, Seeds.mix(seed + 5)));
            dropout2 = registerModule("dropout2", new Dropout(Transformer.DROPOUT, Seeds.mix(seed + 6)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = norm1.forward(x.add(dropout1.forward(attention.forward(x))));
            Tensor hidden = linear1.forward(h);
            Tensor f = linear2.forward(dropout.forward(gelu ? hidden.gelu() : hidden.relu()));
            return norm2.forward(h.add(dropout2.forward(f)));
        }
    }
}
