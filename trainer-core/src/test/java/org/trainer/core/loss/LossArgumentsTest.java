package org.trainer.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/** Bad arguments are refused with a message naming the argument, the value and what was expected. */
class LossArgumentsTest {
    private static final Tensor LOGITS = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void labelOutOfRangeNamesPositionValueAndClassCount() {
        String m = message(() -> new CrossEntropyLoss().compute(LOGITS, Tensor.fromArray(new int[] {0, 3}, 2)));
        assertTrue(m.contains("position 1") && m.contains("is 3") && m.contains("[0, 3)"), m);
        m = message(() -> new CrossEntropyLoss().compute(LOGITS, Tensor.fromArray(new int[] {-1, 0}, 2)));
        assertTrue(m.contains("position 0") && m.contains("is -1"), m);
    }

    @Test
    void crossEntropyTargetShapesAreChecked() {
        String m = message(() -> new CrossEntropyLoss().compute(LOGITS, Tensor.fromArray(new int[] {0, 1, 2}, 3)));
        assertTrue(m.contains("[3]") && m.contains("[2, 3]") && m.contains("expected [2]"), m);
        m = message(() -> new CrossEntropyLoss().compute(LOGITS, Tensor.zeros(2, 4)));
        assertTrue(m.contains("[2, 4]") && m.contains("[2, 3]"), m);
        m = message(() -> new CrossEntropyLoss().compute(Tensor.zeros(6), Tensor.fromArray(new int[] {0}, 1)));
        assertTrue(m.contains("[N, C]") && m.contains("[6]"), m);
        m = message(() -> new CrossEntropyLoss().withWeights(new float[] {1, 2}).compute(LOGITS,
                Tensor.fromArray(new int[] {0, 1}, 2)));
        assertTrue(m.contains("2 class weights") && m.contains("expected 3"), m);
    }

    @Test
    void crossEntropyOptionsAreValidated() {
        assertTrue(message(() -> new CrossEntropyLoss().withLabelSmoothing(1.0)).contains("[0, 1), got 1.0"));
        assertTrue(message(() -> new CrossEntropyLoss().withLabelSmoothing(-0.1)).contains("got -0.1"));
        assertTrue(message(() -> new CrossEntropyLoss().withWeights(new float[] {1, -2}))
                .contains("weights[1] is -2.0"));
        assertTrue(message(() -> new CrossEntropyLoss().withReduction(null)).contains("reduction"));
    }

    @Test
    void elementwiseLossesNameBothShapes() {
        Tensor a = Tensor.zeros(4);
        Tensor b = Tensor.zeros(4, 1);
        Loss[] losses = {new MseLoss(), new L1Loss(), new HuberLoss(), new BinaryCrossEntropyWithLogitsLoss()};
        for (Loss loss : losses) {
            String m = message(() -> loss.compute(a, b));
            assertTrue(m.contains("[4]") && m.contains("[4, 1]"), loss + ": " + m);
        }
        String m = message(() -> new MseLoss().compute(a, Tensor.fromArray(new int[] {1, 2, 3, 4}, 4)));
        assertTrue(m.contains("target") && m.contains("INT32"), m);
    }

    @Test
    void huberDeltaMustBePositive() {
        assertTrue(message(() -> new HuberLoss(0)).contains("delta must be positive and finite, got 0.0"));
        assertTrue(message(() -> new HuberLoss(Double.NaN)).contains("got NaN"));
    }

    @Test
    void configurationIsImmutableAndShapesFollowTheReduction() {
        float[] w = {1, 2, 3};
        CrossEntropyLoss base = new CrossEntropyLoss();
        CrossEntropyLoss weighted = base.withWeights(w);
        w[0] = 100;
        assertEquals(null, base.weights());
        assertEquals(1f, weighted.weights()[0]);
        Tensor labels = Tensor.fromArray(new int[] {2, 0}, 2);
        assertArrayEquals(new int[0], weighted.compute(LOGITS, labels).shape());
        assertArrayEquals(new int[] {2}, weighted.withReduction(Reduction.NONE).compute(LOGITS, labels).shape());
        assertArrayEquals(new int[] {2, 3}, new HuberLoss(1, Reduction.NONE).compute(LOGITS, LOGITS).shape());
    }

    @Test
    void bceStaysFiniteForHugeLogitsInValueAndGradient() {
        Tensor x = Tensor.fromArray(new float[] {1000, -1000, 1000, -1000}, 4).requiresGrad(true);
        Tensor y = Tensor.fromArray(new float[] {1, 0, 0, 1}, 4);
        Tensor l = new BinaryCrossEntropyWithLogitsLoss(Reduction.NONE).compute(x, y);
        assertArrayEquals(new float[] {0, 0, 1000, 1000}, l.toFloatArray());
        l.sum().backward();
        assertArrayEquals(new float[] {0, 0, 1, -1}, x.grad().toFloatArray(),
                "sigmoid(x) - y, and no NaN from the branch not taken");
    }
}
