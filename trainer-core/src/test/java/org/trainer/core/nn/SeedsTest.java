package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** The seed sequence is the calling thread's: parallel builds after the same set get the same weights. */
class SeedsTest {

    static float[] build() {
        Module m = new Sequential(new Linear(20, 30), new Activation.ReLU(), new Linear(30, 5));
        return m.parameters().stream().map(p -> p.value().toFloatArray())
                .reduce(new float[0], (a, b) -> {
                    float[] c = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                });
    }

    @Test
    void threadsBuildingTheSameModelAfterTheSameSeedGetTheSameWeights() throws Exception {
        Seeds.set(42);
        float[] expected = build();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<float[]>>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    start.await();
                    List<float[]> got = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        Seeds.set(42);
                        got.add(build());
                    }
                    return got;
                }));
            }
            start.countDown();
            for (Future<List<float[]>> f : fs) {
                for (float[] w : f.get()) {
                    assertArrayEquals(expected, w);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewThreadContinuesTheSequenceOfTheThreadThatMadeIt() throws Exception {
        Seeds.set(7);
        build();
        float[][] inThread = new float[1][];
        Thread t = new Thread(() -> inThread[0] = build());
        t.start();
        t.join();
        float[] here = build();
        // Both continue from the same point: the thread's copy and this thread's own sequence.
        assertArrayEquals(here, inThread[0]);
        Seeds.set(7);
        assertFalse(Arrays.equals(build(), here), "the second model of a sequence differs from the first");
    }
}
