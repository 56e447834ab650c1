package org.trainer.distributed.pipeline;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.distributed.Collective;
import org.trainer.distributed.CollectiveException;

/**
 * The messages between neighbouring stages. An activation travels as two sends: a fixed-size
 * float64 header, then the values in the activation's own dtype (float32 or float64). The header
 * lets the receiver allocate and shape the tensor without knowing the sender's modules, and lets
 * micro-batches differ in size (an uneven split, a short last batch):
 *
 * <pre>
 * [0] dtype (0 float32, 1 float64)   [1] micro-batch index j   [2] micro-batch count k
 * [3] mini-batch size n              [4] rank r of the tensor  [5 .. 5 + r) its shape
 * </pre>
 *
 * A gradient travels back without a header: the sender of the activation knows its shape and dtype.
 * Integers up to 2^53 are exact in a double, so the header carries them as they are.
 */
final class StageLink {
    /** The highest tensor rank an activation may have. */
    static final int MAX_RANK = 8;
    static final int HEADER = 5 + MAX_RANK;

    private StageLink() {
    }

    /** What a stage learns from an activation's header, with the values. */
    record Activation(int microBatch, int microBatches, int batchSize, Tensor value) {
    }

    static void sendActivation(Collective c, int dst, int microBatch, int microBatches, int batchSize, Tensor t,
                               String sender) {
        int[] shape = t.shape();
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("Pipeline: " + sender + " produced an activation of rank " + shape.length
                    + " (shape " + Arrays.toString(shape) + "); stages exchange tensors of rank <= " + MAX_RANK);
        }
        double[] header = new double[HEADER];
        header[0] = dtypeCode(t.dtype(), sender);
        header[1] = microBatch;
        header[2] = microBatches;
        header[3] = batchSize;
        header[4] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            header[5 + i] = shape[i];
        }
        c.send(dst, header, 0, HEADER);
        sendValues(c, dst, t);
    }

    /**
     * Receives micro-batch {@code expectedMicroBatch}'s activation from {@code src}, as a CPU tensor.
     *
     * @throws CollectiveException if the header is not one this protocol writes or names another micro-batch
     */
    static Activation recvActivation(Collective c, int src, int expectedMicroBatch, String receiver) {
        double[] h = new double[HEADER];
        c.recv(src, h, 0, HEADER);
        int rank = (int) h[4];
        if ((h[0] != 0 && h[0] != 1) || rank < 0 || rank > MAX_RANK || h[1] != expectedMicroBatch) {
            throw new CollectiveException("Pipeline: " + receiver + " expected the header of micro-batch "
                    + expectedMicroBatch + " from rank " + src + ", got " + Arrays.toString(h)
                    + " (do all ranks run the same pipeline calls in the same order?)");
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = (int) h[5 + i];
        }
        DType dtype = h[0] == 0 ? DType.FLOAT32 : DType.FLOAT64;
        Tensor value = recvValues(c, src, dtype, shape);
        return new Activation((int) h[1], (int) h[2], (int) h[3], value);
    }

    /** Sends t's values in its own dtype, from whatever device it is on. */
    static void sendValues(Collective c, int dst, Tensor t) {
        if (t.dtype() == DType.FLOAT64) {
            double[] v = t.toDoubleArray();
            c.send(dst, v, 0, v.length);
        } else {
            float[] v = t.toFloatArray();
            c.send(dst, v, 0, v.length);
        }
    }

    /** Receives values sent by {@link #sendValues} into a new CPU tensor of this dtype and shape. */
    static Tensor recvValues(Collective c, int src, DType dtype, int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (dtype == DType.FLOAT64) {
            double[] v = new double[n];
            c.recv(src, v, 0, n);
            return Tensor.fromArray(v, shape);
        }
        float[] v = new float[n];
        c.recv(src, v, 0, n);
        return Tensor.fromArray(v, shape);
    }

    private static int dtypeCode(DType dtype, String sender) {
        return switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT64 -> 1;
            default -> throw new IllegalArgumentException("Pipeline: " + sender + " produced a " + dtype
                    + " activation; stages exchange float32 or float64 tensors (gradients flow back through them)");
        };
    }
}
