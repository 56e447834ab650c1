package org.trainer.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/**
 * The cross-entropy path for labels on a device (no copy to the host) computes the same values and
 * gradients as the checked host path, for every option. Run here on the CPU by calling it directly.
 */
class LabelsOnDeviceTest {

    @Test
    void agreesWithTheHostPath() {
        int n = 7;
        int c = 5;
        Tensor labels = Tensor.fromArray(new int[] {0, 4, 2, 2, 1, 3, 4}, n);
        float[][] weightings = {null, {0.5f, 2f, 1f, 0f, 3f}};
        for (float[] w : weightings) {
            for (double eps : new double[] {0, 0.1}) {
                for (Reduction r : Reduction.values()) {
                    CrossEntropyLoss loss = new CrossEntropyLoss().withWeights(w).withLabelSmoothing(eps).withReduction(r);
                    Tensor x1 = Tensor.randn(3, n, c).requiresGrad(true);
                    Tensor x2 = Tensor.randn(3, n, c).requiresGrad(true);
                    Tensor host = loss.compute(x1, labels);
                    Tensor device = loss.labelsOnDevice(x2.logSoftmax(1), labels, c);
                    String what = "weights " + (w != null) + ", eps " + eps + ", " + r;
                    assertArrayEquals(host.toFloatArray(), device.toFloatArray(), 1e-5f, what);
                    host.sum().backward();
                    device.sum().backward();
                    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray(), 1e-5f, what + " gradient");
                }
            }
        }
    }
}
