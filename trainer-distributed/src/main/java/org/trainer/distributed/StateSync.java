package org.trainer.distributed;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.trainer.core.DType;
import org.trainer.core.Tensor;

/** Moves model state between ranks: rank 0's values to every replica, and a check that the replicas fit. */
final class StateSync {
    private StateSync() {
    }

    /**
     * Overwrites every tensor with rank {@code root}'s values, in place: one broadcast per dtype of
     * the tensors concatenated (int32 tensors travel as float64, exact for any int).
     */
    static void broadcast(Collective c, Collection<Tensor> tensors, int root) {
        if (c.worldSize() == 1) {
            return;
        }
        List<Tensor> floats = new ArrayList<>();
        List<Tensor> others = new ArrayList<>();
        for (Tensor t : tensors) {
            (t.dtype() == DType.FLOAT32 ? floats : others).add(t);
        }
        if (!floats.isEmpty()) {
            float[] flat = new float[total(floats)];
            int off = 0;
            for (Tensor t : floats) {
                t.backend().read(t.storage(), FloatBuffer.wrap(flat, off, t.numel()));
                off += t.numel();
            }
            c.broadcast(flat, 0, flat.length, root);
            off = 0;
            for (Tensor t : floats) {
                t.backend().write(t.storage(), FloatBuffer.wrap(flat, off, t.numel()));
                off += t.numel();
            }
        }
        if (!others.isEmpty()) {
            double[] flat = new double[total(others)];
            int off = 0;
            for (Tensor t : others) {
                double[] v = t.dtype() == DType.FLOAT64 ? null : t.toDoubleArray();
                if (v == null) {
                    t.backend().read(t.storage(), DoubleBuffer.wrap(flat, off, t.numel()));
                } else {
                    System.arraycopy(v, 0, flat, off, v.length);
                }
                off += t.numel();
            }
            c.broadcast(flat, 0, flat.length, root);
            off = 0;
            for (Tensor t : others) {
                if (t.dtype() == DType.FLOAT64) {
                    t.backend().write(t.storage(), DoubleBuffer.wrap(flat, off, t.numel()));
                } else {
                    double[] slice = Arrays.copyOfRange(flat, off, off + t.numel());
                    t.copyFrom(Tensor.fromArray(slice, t.shape()).to(t.dtype()).to(t.device()));
                }
                off += t.numel();
            }
        }
    }

    /**
     * Refuses replicas whose state differs from rank 0's in names, shapes or dtypes, on every rank
     * alike, naming the first difference.
     */
    static void checkSameLayout(Collective c, Map<String, Tensor> state) {
        if (c.worldSize() == 1) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        state.forEach((name, t) -> sb.append(name).append(' ').append(t.dtype()).append(' ')
                .append(Arrays.toString(t.shape())).append('\n'));
        byte[][] all = c.allGather(sb.toString().getBytes(StandardCharsets.UTF_8));
        String[] first = new String(all[0], StandardCharsets.UTF_8).split("\n", -1);
        for (int r = 1; r < all.length; r++) {
            String[] other = new String(all[r], StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < Math.max(first.length, other.length); i++) {
                String a = i < first.length ? first[i] : "(nothing)";
                String b = i < other.length ? other[i] : "(nothing)";
                if (!a.equals(b)) {
                    throw new CollectiveException("DistributedDataParallel: the replicas differ: rank 0 has "
                            + (a.isEmpty() ? "(nothing)" : a) + " where rank " + r + " has " + (b.isEmpty() ? "(nothing)" : b)
                            + " (entry " + i + " of the state)");
                }
            }
        }
    }

    private static int total(List<Tensor> ts) {
        long n = 0;
        for (Tensor t : ts) {
            n += t.numel();
        }
        return Math.toIntExact(n);
    }
}
