package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Autograd and an update written by hand (no Trainer, no optimizer) learn a target. */
class ManualGradientDescentTest {

    @Test
    void handWrittenGradientDescentLearnsItsTarget() {
        Tensor x = Tensor.randn(1, 256, 10);
        Tensor y = x.matmul(Tensor.randn(2, 10, 1)).tanh();
        Tensor w = Tensor.zeros(10, 1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        double initial = x.matmul(w).add(b).tanh().sub(y).pow(2).mean().item();
        for (int step = 0; step < 200; step++) {
            Tensor loss = x.matmul(w).add(b).tanh().sub(y).pow(2).mean();
            w.zeroGrad();
            b.zeroGrad();
            loss.backward();
            try (GradMode off = Tensor.noGrad()) {
                w.copyFrom(w.sub(w.grad().mul(0.5)));
                b.copyFrom(b.sub(b.grad().mul(0.5)));
            }
        }
        double mse = x.matmul(w).add(b).tanh().sub(y).pow(2).mean().item();
        assertTrue(mse < initial / 20, "mse " + mse + " from " + initial);
    }
}
