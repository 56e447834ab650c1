package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.Device;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.nn.Module;

/**
 * The GPU from several threads at once, as parallel HPO trials and loader threads use it: each
 * thread makes the device's primary context current on first use, and runs sharing the device
 * (one stream, one allocator, one cuBLAS handle) give the same weights as the same runs one after
 * the other.
 */
@Tag("gpu")
class ThreadsTest {

    @Test
    void parallelTrainingRunsOnOneGpuMatchTheSameRunsInSequence() throws Exception {
        Device dev = GpuTests.device();
        TensorDataset data = Digits.load();
        int runs = 4;
        List<Module> inits = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            inits.add(TrainingTest.mlp());
        }
        double[] sequential = new double[runs];
        for (int k = 0; k < runs; k++) {
            sequential[k] = TrainingTest.train(inits.get(k), dev, data);
        }
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            List<Future<Double>> parallel = new ArrayList<>();
            for (int k = 0; k < runs; k++) {
                Module init = inits.get(k);
                parallel.add(pool.submit(() -> TrainingTest.train(init, dev, data)));
            }
            double[] got = new double[runs];
            for (int k = 0; k < runs; k++) {
                got[k] = parallel.get(k).get();
            }
            assertArrayEquals(sequential, got, 1e-9, "accuracy of each run, in parallel vs in sequence");
        } finally {
            pool.shutdown();
        }
    }
}
