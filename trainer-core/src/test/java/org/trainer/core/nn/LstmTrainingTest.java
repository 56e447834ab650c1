package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.train.MomentumSgd;

/**
 * An LSTM learns to recall the first token of a sequence of 3 to 8 tokens (4 symbols, padded to 8,
 * given with their lengths) from its final state: chance is 25%, and after a few hundred small
 * steps of SGD with momentum it must get at least 90% of a held-out batch right. The answer has
 * to survive up to 7 distracting steps, and padded steps must not overwrite it.
 */
class LstmTrainingTest {
    private static final int SYMBOLS = 4;
    private static final int STEPS = 8;

    static final class Recall extends Module {
        final Embedding embedding = registerModule("embedding", new Embedding(SYMBOLS + 1, 8, 0, 21));
        final LSTM lstm = registerModule("lstm", new LSTM(8, 24, RecurrentOptions.defaults().withBatchFirst(true), 22));
        final Linear head = registerModule("head", new Linear(24, SYMBOLS, true, null, 23));

        Tensor forward(Tensor tokens, Tensor lengths) {
            RecurrentOutput out = lstm.forward(embedding.forward(tokens), lengths, null);
            return head.forward(out.h().squeeze(0));
        }

        @Override
        public Tensor forward(Tensor tokens) {
            return forward(tokens, null);
        }
    }

    /** Tokens 1..SYMBOLS (0 pads), lengths, and labels (the first token's symbol, 0-based). */
    private static Tensor[] batch(SplittableRandom rng, int n) {
        int[] tokens = new int[n * STEPS];
        int[] lengths = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = 3 + rng.nextInt(STEPS - 2);
            for (int t = 0; t < lengths[i]; t++) {
                tokens[i * STEPS + t] = 1 + rng.nextInt(SYMBOLS);
            }
            labels[i] = tokens[i * STEPS] - 1;
        }
        return new Tensor[] {Tensor.fromArray(tokens, n, STEPS), Tensor.fromArray(lengths, n),
                Tensor.fromArray(labels, n)};
    }

    private static double accuracy(Recall model, Tensor[] b) {
        int[] predicted;
        try (var off = Tensor.noGrad()) {
            predicted = model.forward(b[0], b[1]).argmax(1, false).toIntArray();
        }
        int[] labels = b[2].toIntArray();
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) right / labels.length;
    }

    @Test
    void learnsToRecallTheFirstToken() {
        Recall model = new Recall();
        SplittableRandom rng = new SplittableRandom(5);
        Tensor[] heldOut = batch(rng, 256);
        double before = accuracy(model, heldOut);
        MomentumSgd sgd = new MomentumSgd(model.parameters(), 0.1, 0.9);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (int step = 0; step < 400; step++) {
            Tensor[] b = batch(rng, 32);
            model.zeroGrad();
            loss.compute(model.forward(b[0], b[1]), b[2]).backward();
            sgd.step();
        }
        double after = accuracy(model, heldOut);
        assertTrue(after >= 0.9, "held-out accuracy " + after + " (before training " + before + ", chance 0.25)");
    }
}
