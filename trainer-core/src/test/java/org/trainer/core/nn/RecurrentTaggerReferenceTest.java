package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.Fixtures.tensor64;

import java.util.ArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.loss.CrossEntropyLoss;

/**
 * A whole sequence tagger against PyTorch 1.13 in float64 (reference/recurrent/sequence.json):
 * tokens -> Embedding with padding index 0 -> bidirectional batch-first LSTM over unequal lengths
 * -> Linear -> cross-entropy ignoring the padded steps. Logits, loss and every parameter's
 * gradient match to 1e-9 relative; the padding row's gradient is zero, as in PyTorch.
 */
class RecurrentTaggerReferenceTest {

    static final class Tagger extends Module {
        final Embedding embedding;
        final LSTM lstm;
        final Linear head;

        Tagger(int vocab, int dim, int hidden, int classes) {
            embedding = registerModule("embedding", new Embedding(vocab, dim, 0, 1));
            lstm = registerModule("lstm", new LSTM(dim, hidden, RecurrentOptions.defaults().withBatchFirst(true)
                    .withBidirectional(true), 2));
            head = registerModule("head", new Linear(2 * hidden, classes, true, null, 3));
        }

        Tensor forward(Tensor tokens, Tensor lengths) {
            return head.forward(lstm.forward(embedding.forward(tokens), lengths, null).output());
        }

        @Override
        public Tensor forward(Tensor tokens) {
            return forward(tokens, null);
        }
    }

    @Test
    void matchesPyTorch() throws Exception {
        JsonNode c = RecurrentReferenceTest.load("/reference/recurrent/sequence.json").get("tagger");
        Tagger model = new Tagger(c.get("vocab").asInt(), 5, 7, c.get("classes").asInt());
        model.to(DType.FLOAT64);
        var state = RecurrentReferenceTest.state(c.get("state"));
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(model.stateDict().keySet()));
        model.loadStateDict(state, true);

        Tensor logits = model.forward(tensor64(c.get("tokens")), tensor64(c.get("lengths")));
        RecurrentReferenceTest.compare("LSTM", "tagger logits", tensor64(c.get("logits")), logits);
        Tensor loss = new CrossEntropyLoss().withIgnoreIndex(-100).compute(logits, tensor64(c.get("labels")));
        RecurrentReferenceTest.compare("LSTM", "tagger loss", tensor64(c.get("loss")), loss);
        loss.backward();
        for (var e : model.namedParameters().entrySet()) {
            RecurrentReferenceTest.compare("LSTM", "tagger grad " + e.getKey(), tensor64(c.get("grads").get(e.getKey())),
                    e.getValue().grad());
        }
        double[] padRow = model.embedding.weight().grad().narrow(0, 0, 1).toDoubleArray();
        assertArrayEquals(new double[5], padRow);
    }

    @Test
    void paddingRowStartsAtZeroAndNeverTrains() {
        Embedding e = new Embedding(6, 3, -1, 4);
        assertEquals(5, e.paddingIdx().getAsInt());
        assertArrayEquals(new float[3], e.weight().value().narrow(0, 5, 1).toFloatArray());
        e.weight().set(Tensor.full(2, 6, 3));
        Tensor out = e.forward(Tensor.fromArray(new int[] {5, 1, 5, 2}, 2, 2));
        assertArrayEquals(new int[] {2, 2, 3}, out.shape());
        // A loaded padding row is returned as it is, as in PyTorch.
        assertArrayEquals(new float[] {2, 2, 2}, out.narrow(0, 0, 1).narrow(1, 0, 1).reshape(3).toFloatArray());
        out.mul(out).sum().backward();
        float[] g = e.weight().grad().toFloatArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(0f, g[5 * 3 + j], "padding row gradient");
            assertEquals(4f, g[3 + j], "row 1 gradient");
        }
        assertTrue(new Embedding(6, 3, 1).paddingIdx().isEmpty());
        assertEquals("Embedding: paddingIdx must be in [-6, 6) for 6 rows, got 6",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new Embedding(6, 3, 6, 1)).getMessage());
    }
}
