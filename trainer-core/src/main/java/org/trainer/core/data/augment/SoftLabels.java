package org.trainer.core.data.augment;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Batch;

/** Label handling shared by the mixing transforms: class labels to probability rows, partners. */
final class SoftLabels {
    private SoftLabels() {
    }

    /**
     * The targets as probability rows [B, numClasses] in double: one-hot rows for INT32 labels [B]
     * (each checked to lie in [0, numClasses)), or floating targets [B, numClasses] as they are.
     */
    static double[] rows(String op, Tensor targets, int numClasses) {
        int b = targets.size(0);
        if (targets.dtype() == DType.INT32) {
            if (targets.rank() != 1) {
                throw new IllegalArgumentException(op + ": INT32 targets must be class labels [B], got shape "
                        + Shapes.str(targets.shape()));
            }
            int[] y = targets.toIntArray();
            double[] out = new double[b * numClasses];
            for (int i = 0; i < b; i++) {
                if (y[i] < 0 || y[i] >= numClasses) {
                    throw new IllegalArgumentException(op + ": label at position " + i + " is " + y[i]
                            + ", expected a class in [0, " + numClasses + ")");
                }
                out[i * numClasses + y[i]] = 1;
            }
            return out;
        }
        if (targets.rank() != 2 || targets.size(1) != numClasses) {
            throw new IllegalArgumentException(op + ": targets must be INT32 labels [B] or probabilities [B, "
                    + numClasses + "], got " + targets.dtype() + " of shape " + Shapes.str(targets.shape()));
        }
        return targets.toDoubleArray();
    }

    /** Row i becomes lambda y[i] + (1 - lambda) y[partner[i]], as float32 [B, numClasses]. */
    static Tensor mix(double[] y, int[] partner, double lambda, int numClasses) {
        int b = partner.length;
        float[] out = new float[b * numClasses];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < numClasses; c++) {
                out[i * numClasses + c] = (float) (lambda * y[i * numClasses + c]
                        + (1 - lambda) * y[partner[i] * numClasses + c]);
            }
        }
        return Tensor.fromArray(out, b, numClasses);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates): sample i is mixed with sample perm[i]. */
    static int[] partners(int n, AugmentRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static void checkBatch(String op, Batch batch, int[] partner) {
        if (partner.length != batch.size()) {
            throw new IllegalArgumentException(op + ": partner has " + partner.length + " entries for a batch of "
                    + batch.size());
        }
        for (int i = 0; i < partner.length; i++) {
            if (partner[i] < 0 || partner[i] >= partner.length) {
                throw new IllegalArgumentException(op + ": partner[" + i + "] is " + partner[i]
                        + ", expected a sample in [0, " + partner.length + ")");
            }
        }
        if (!batch.features().dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": features must be floating, got " + batch.features().dtype());
        }
    }

    static int checkClasses(String op, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException(op + ": numClasses must be >= 1, got " + numClasses);
        }
        return numClasses;
    }

    static double checkAlpha(String op, double alpha) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException(op + ": alpha must be finite and > 0, got " + alpha);
        }
        return alpha;
    }
}
