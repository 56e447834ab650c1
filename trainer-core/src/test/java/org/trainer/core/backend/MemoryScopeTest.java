package org.trainer.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.BatchNorm1d;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;

class MemoryScopeTest {

    @Test
    void aSteadyStateStepTakesAllItsTensorMemoryFromThePool() {
        Sequential model = new Sequential(new Linear(20, 16), new BatchNorm1d(16), new Activation.ReLU(),
                new Linear(16, 3));
        Tensor x = Tensor.randn(1, 8, 20);
        MemoryScope.Pool pool = new MemoryScope.Pool();
        long missesAfterFirst = -1;
        float[] reference = null;
        for (int step = 0; step < 5; step++) {
            try (MemoryScope s = MemoryScope.open(pool)) {
                model.forward(x).logSoftmax(1).mean().neg().backward();
            }
            for (Parameter p : model.parameters()) {
                Tensor w = p.value();
                w.copyFrom(w.sub(p.grad().mul(0.01)));
                p.zeroGrad();
            }
            if (step == 0) {
                missesAfterFirst = pool.misses();
            }
            if (step == 1) {
                reference = model.parameters().get(0).value().toFloatArray();
            }
        }
        assertTrue(missesAfterFirst > 0);
        assertEquals(missesAfterFirst, pool.misses(), "later steps allocate nothing new");
        assertTrue(pool.bytes() > 0);
        // Gradients and running statistics survive their steps.
        assertTrue(model.parameters().get(0).grad() != null);
        assertTrue(((BatchNorm1d) model.get(1)).runningMean().abs().sum().item() > 0);
        assertTrue(reference != null);
    }

    @Test
    void recycledMemoryIsZeroedAndScopesNest() {
        MemoryScope.Pool pool = new MemoryScope.Pool();
        try (MemoryScope s = MemoryScope.open(pool)) {
            Tensor.full(7, 100);
        }
        try (MemoryScope s = MemoryScope.open(pool)) {
            Tensor t = Tensor.zeros(100);
            assertEquals(0.0, t.abs().sum().item());
            Tensor kept;
            try (MemoryScope p = MemoryScope.persistent()) {
                kept = Tensor.ones(100);
            }
            assertArrayEquals(new int[] {100}, kept.shape());
        }
        MemoryScope outer = MemoryScope.open(pool);
        MemoryScope inner = MemoryScope.open(pool);
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void aModuleRefusesABufferInStepMemory() {
        MemoryScope.Pool pool = new MemoryScope.Pool();
        try (MemoryScope step = MemoryScope.open(pool)) {
            Tensor stepMemory = Tensor.zeros(4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Module() {
                        {
                            registerBuffer("stats", stepMemory);
                        }

                        @Override
                        public Tensor forward(Tensor input) {
                            return input;
                        }
                    });
            assertTrue(e.getMessage().contains("buffer 'stats'")
                    && e.getMessage().contains("memory of the open training step"), e.getMessage());
            try (MemoryScope keep = MemoryScope.persistent()) {
                Tensor own = Tensor.zeros(4);
                assertFalse(MemoryScope.isStepMemory(own.storage()));
            }
            assertTrue(MemoryScope.isStepMemory(stepMemory.storage()));
        }
    }

    @Test
    void poisonShowsATensorKeptPastItsStep() {
        MemoryScope.Pool pool = new MemoryScope.Pool();
        Tensor kept;
        try (MemoryScope step = MemoryScope.open(pool)) {
            kept = Tensor.ones(3).mul(2);
        }
        // Without poison the stale values stay until the memory is reused: the silent failure.
        assertArrayEquals(new float[] {2, 2, 2}, kept.toFloatArray());
        MemoryScope.setPoison(true);
        try {
            try (MemoryScope step = MemoryScope.open(pool)) {
                kept = Tensor.ones(3).mul(2);
            }
            for (float v : kept.toFloatArray()) {
                assertTrue(Float.isNaN(v), "released memory reads NaN");
            }
        } finally {
            MemoryScope.setPoison(false);
        }
    }
}
