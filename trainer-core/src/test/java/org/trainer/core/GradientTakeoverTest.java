package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;
import org.trainer.core.backend.MemoryScope;

/**
 * Inside a step scope a zeroed leaf takes over the memory its new gradient was computed in. The
 * gradients must come out exactly as without scopes, also when one gradient tensor reaches two
 * leaves, when passes accumulate without zeroing, and across many steps of recycled memory.
 */
class GradientTakeoverTest {

    /** loss = sum((a + b) * c) + sum(a * a): the gradient of the sum reaches a and b as one tensor. */
    private static void backward(Tensor a, Tensor b, Tensor c) {
        a.add(b).mul(c).sum().add(a.mul(a).sum()).backward();
    }

    private static Tensor[] leaves(long seed) {
        return new Tensor[] {Tensor.randn(seed, 4, 3).requiresGrad(true), Tensor.randn(seed + 1, 4, 3).requiresGrad(true),
                Tensor.randn(seed + 2, 4, 3).requiresGrad(true)};
    }

    @Test
    void gradientsAreTheSameWithAndWithoutScopes() {
        Tensor[] plain = leaves(3);
        Tensor[] scoped = leaves(3);
        MemoryScope.Pool pool = new MemoryScope.Pool();
        for (int step = 0; step < 6; step++) {
            Tensor before = scoped[0].grad();
            for (Tensor t : plain) {
                t.zeroGrad();
            }
            for (Tensor t : scoped) {
                t.zeroGrad();
            }
            backward(plain[0], plain[1], plain[2]);
            try (MemoryScope s = MemoryScope.open(pool)) {
                backward(scoped[0], scoped[1], scoped[2]);
                if (step % 2 == 1) {
                    // A second pass without zeroing adds to the gradients taken over in the first.
                    backward(scoped[0], scoped[1], scoped[2]);
                }
            }
            if (step % 2 == 1) {
                backward(plain[0], plain[1], plain[2]);
            }
            if (step > 0) {
                assertNotSame(before, scoped[0].grad(), "step " + step + ": the gradient moved instead of being copied");
            }
            // Work in the next scope recycles the pool's memory; the gradients must not change.
            try (MemoryScope s = MemoryScope.open(pool)) {
                for (int k = 0; k < 8; k++) {
                    Tensor.full(99, 4, 3).add(1);
                }
            }
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(plain[k].grad().toFloatArray(), scoped[k].grad().toFloatArray(),
                        "step " + step + ", leaf " + k);
            }
        }
    }
}
