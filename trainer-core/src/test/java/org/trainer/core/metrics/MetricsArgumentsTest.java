package org.trainer.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/** Bad input is refused with the argument, the value and what was expected; the edge conventions hold. */
class MetricsArgumentsTest {
    private static final Tensor SCORES = Tensor.fromArray(new float[] {0.1f, 0.9f, 0, 0.7f, 0.2f, 0.1f}, 2, 3);

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void labelsOutOfRangeNamePositionValueAndRange() {
        for (Metric m : List.of(new Accuracy(), new TopKAccuracy(1), new Precision(3), new Recall(3), new F1Score(3),
                new ConfusionMatrix(3))) {
            String msg = message(() -> m.update(SCORES, Tensor.fromArray(new int[] {1, 3}, 2)));
            assertTrue(msg.contains("position 1") && msg.contains("is 3") && msg.contains("[0, 3)"),
                    m.name() + ": " + msg);
        }
        String msg = message(() -> new Recall(3).update(SCORES, Tensor.fromArray(new int[] {-2, 0}, 2)));
        assertTrue(msg.startsWith("Recall:") && msg.contains("position 0") && msg.contains("is -2"), msg);
        msg = message(() -> new ConfusionMatrix(2).update(Tensor.fromArray(new int[] {0, 5}, 2),
                Tensor.fromArray(new int[] {0, 1}, 2)));
        assertTrue(msg.contains("predicted label at position 1 is 5"), msg);
    }

    @Test
    void shapesAreChecked() {
        String msg = message(() -> new Accuracy().update(SCORES, Tensor.fromArray(new int[] {0, 1, 2}, 3)));
        assertTrue(msg.contains("[2]") && msg.contains("[3]"), msg);
        msg = message(() -> new Precision(4).update(SCORES, Tensor.fromArray(new int[] {0, 1}, 2)));
        assertTrue(msg.contains("3 class scores") && msg.contains("expected 4"), msg);
        msg = message(() -> new TopKAccuracy(4).update(SCORES, Tensor.fromArray(new int[] {0, 1}, 2)));
        assertTrue(msg.contains("k = 4") && msg.contains("3 classes"), msg);
        msg = message(() -> new MeanSquaredError().update(Tensor.zeros(4), Tensor.zeros(4, 1)));
        assertTrue(msg.contains("[4]") && msg.contains("[4, 1]"), msg);
        msg = message(() -> new R2Score().update(Tensor.zeros(3), Tensor.fromArray(new int[] {1, 2, 3}, 3)));
        assertTrue(msg.contains("target") && msg.contains("INT32"), msg);
    }

    @Test
    void badValuesAreRefused() {
        Tensor nan = Tensor.fromArray(new float[] {0, 1, 2, 3, Float.NaN, 5}, 2, 3);
        String msg = message(() -> new Accuracy().update(nan, Tensor.fromArray(new int[] {0, 1}, 2)));
        assertTrue(msg.contains("row 1, column 1"), msg);
        Tensor infinite = Tensor.fromArray(new float[] {1, Float.POSITIVE_INFINITY}, 2);
        msg = message(() -> new MeanAbsoluteError().update(infinite, Tensor.zeros(2)));
        assertTrue(msg.contains("prediction element 1") && msg.contains("Infinity"), msg);
        msg = message(() -> new Accuracy().update(SCORES, Tensor.fromArray(new float[] {1, 0.5f}, 2)));
        assertTrue(msg.contains("position 1 is 0.5"), msg);
        assertTrue(message(() -> new F1Score(0)).contains("numClasses must be >= 1, got 0"));
        assertTrue(message(() -> new TopKAccuracy(0)).contains("k must be >= 1, got 0"));
    }

    @Test
    void wholeNumberFloatLabelsAreAccepted() {
        Accuracy a = new Accuracy();
        a.update(SCORES, Tensor.fromArray(new float[] {1, 2}, 2));
        assertEquals(0.5, a.compute());
    }

    @Test
    void nothingSeenGivesNaN() {
        for (Metric m : List.of(new Accuracy(), new TopKAccuracy(2), new Precision(3), new Recall(3), new F1Score(3),
                new ConfusionMatrix(3), new MeanSquaredError(), new MeanAbsoluteError(), new R2Score())) {
            assertTrue(Double.isNaN(m.compute()), m.name());
        }
        R2Score one = new R2Score();
        one.update(Tensor.fromArray(new float[] {1}, 1), Tensor.fromArray(new float[] {2}, 1));
        assertTrue(Double.isNaN(one.compute()), "R^2 of one sample is undefined, as in scikit-learn");
    }

    @Test
    void zeroDivisionConventionFollowsScikitLearn() {
        // Class 2 is never predicted (precision 0/0 -> 0) and has one true sample; class 1 is predicted
        // once without true samples (recall 0/0 -> 0); class 3 appears nowhere and is left out.
        Tensor predicted = Tensor.fromArray(new int[] {0, 0, 1, 0}, 4);
        Tensor truth = Tensor.fromArray(new int[] {0, 0, 2, 2}, 4);
        ConfusionMatrix cm = new ConfusionMatrix(4);
        cm.update(predicted, truth);
        // precision: class 0 = 2/3, class 1 = 0, class 2 = 0 -> mean over 3 present classes
        assertEquals((2.0 / 3) / 3, cm.macroPrecision(), 1e-15);
        // recall: class 0 = 1, class 1 = 0, class 2 = 0
        assertEquals(1.0 / 3, cm.macroRecall(), 1e-15);
        // F1: class 0 = 4 / (4 + 1 + 0) = 0.8, others 0
        assertEquals(0.8 / 3, cm.macroF1(), 1e-15);
    }

    @Test
    void confusionMatrixPrintsATable() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(SCORES, Tensor.fromArray(new int[] {1, 2}, 2));
        String expected = String.join("\n",
                "ConfusionMatrix(3 classes; rows = true class, columns = predicted class)",
                "true\\pred 0 1 2",
                "        0 0 0 0",
                "        1 0 1 0",
                "        2 1 0 0");
        assertEquals(expected, cm.toString());
        assertEquals(0.5, cm.compute());
        int[][] copy = cm.matrix();
        copy[0][0] = 99;
        assertEquals(0, cm.matrix()[0][0], "matrix() returns a copy");
    }
}
