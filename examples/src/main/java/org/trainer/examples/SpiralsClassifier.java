package org.trainer.examples;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;

/**
 * Autograd from first principles: a two-layer network learns to separate two interleaved spirals,
 * with the forward pass, the loss, backward and a plain gradient-descent update written out.
 */
public final class SpiralsClassifier {
    private SpiralsClassifier() {
    }

    public static void main(String[] args) {
        int perClass = 500;
        int n = 2 * perClass;
        float[] points = new float[n * 2];
        float[] labels = new float[n * 2];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            int cls = i % 2;
            double t = 0.25 + 3.5 * Math.PI * (i / 2) / perClass;
            double angle = t + cls * Math.PI;
            double r = t / (3.75 * Math.PI);
            points[2 * i] = (float) (r * Math.cos(angle) + 0.02 * rng.nextGaussian());
            points[2 * i + 1] = (float) (r * Math.sin(angle) + 0.02 * rng.nextGaussian());
            labels[2 * i + cls] = 1; // one-hot
        }
        Tensor x = Tensor.fromArray(points, n, 2);
        Tensor y = Tensor.fromArray(labels, n, 2);

        int hidden = 64;
        Tensor w1 = Tensor.randn(1, 2, hidden).mul(Math.sqrt(2.0 / 2)).detach().requiresGrad(true);
        Tensor b1 = Tensor.zeros(hidden).requiresGrad(true);
        Tensor w2 = Tensor.randn(2, hidden, hidden).mul(Math.sqrt(2.0 / hidden)).detach().requiresGrad(true);
        Tensor b2 = Tensor.zeros(hidden).requiresGrad(true);
        Tensor w3 = Tensor.randn(3, hidden, 2).mul(Math.sqrt(1.0 / hidden)).detach().requiresGrad(true);
        Tensor b3 = Tensor.zeros(2).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2, w3, b3};

        double lr = 0.3;
        for (int step = 0; step <= 2000; step++) {
            Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2).relu().matmul(w3).add(b3);
            // Cross-entropy with one-hot targets: -mean over samples of sum(y * log softmax(logits)).
            Tensor loss = logits.logSoftmax(1).mul(y).sum().div(-n);
            for (Tensor p : params) {
                p.zeroGrad();
            }
            loss.backward();
            try (GradMode off = Tensor.noGrad()) {
                for (Tensor p : params) {
                    p.copyFrom(p.sub(p.grad().mul(lr)));
                }
                if (step % 250 == 0) {
                    double accuracy = logits.argmax(1, false).to(org.trainer.core.DType.FLOAT32)
                            .eq(y.argmax(1, false).to(org.trainer.core.DType.FLOAT32)).mean().item();
                    System.out.printf("step %4d  loss %.4f  accuracy %.3f%n", step, loss.item(), accuracy);
                }
            }
        }
    }
}
