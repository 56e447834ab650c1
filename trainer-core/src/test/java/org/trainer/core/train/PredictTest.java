package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.BatchNorm1d;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;

/** {@link Trainer#predict(org.trainer.core.nn.Module, Tensor)}: features in, outputs out, in evaluation mode, shareable. */
class PredictTest {

    private static Sequential model() {
        return new Sequential(new Linear(5, 16, true, null, 1), new BatchNorm1d(16), new Activation.ReLU(),
                new Dropout(0.5, 2), new Linear(16, 3, true, null, 3));
    }

    @Test
    void predictsInEvaluationModeWithoutGradientsAndRestoresTrainingMode() {
        Sequential model = model();
        Tensor x = Tensor.randn(7, 20, 5);
        Tensor out = Trainer.predict(model, x);
        assertTrue(model.isTraining());
        assertFalse(out.requiresGrad());
        assertArrayEquals(new int[] {20, 3}, out.shape());
        model.eval();
        assertArrayEquals(model.forward(x).toFloatArray(), out.toFloatArray());
        assertArrayEquals(out.toFloatArray(), Trainer.predict(model, x).toFloatArray(), "dropout is off");
        assertFalse(model.isTraining(), "a model in evaluation mode stays there");
    }

    @Test
    void threadsSharingAModelInEvaluationModeComputeWhatOneThreadDoes() throws Exception {
        Sequential model = model();
        model.eval();
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(Tensor.randn(100 + i, 64, 5));
            expected.add(Trainer.predict(model, inputs.get(i)).toFloatArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 25; round++) {
                for (Tensor in : inputs) {
                    results.add(pool.submit(() -> Trainer.predict(model, in).toFloatArray()));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(expected.get(i % inputs.size()), results.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
