package org.trainer.core.ops;

import java.util.Arrays;

import org.trainer.core.Function;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.ReduceOp;

/** Sum, max or min over a set of axes, keeping them as size 1 or dropping them. */
public final class Reduce extends Function {
    private final ReduceOp op;
    private final Tensor x;
    private final int[] keptShape;
    private Tensor kept;

    private Reduce(ReduceOp op, Tensor x, int[] keptShape) {
        super(x);
        this.op = op;
        this.x = x;
        this.keptShape = keptShape;
    }

    /**
     * op over {@code axes} of a floating tensor; keepDims keeps them with size 1, else they are removed.
     *
     * @param op SUM, MAX or MIN
     * @param x the tensor
     * @param axes the axes
     * @param keepDims whether to keep them with size 1
     * @return the reduction
     */
    public static Tensor apply(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
        String name = op.name().toLowerCase();
        Ops.floating(name, x);
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int axis : axes) {
            int a = Shapes.axis(name, axis, shape.length);
            if (reduced[a]) {
                throw new IllegalArgumentException(name + ": axis " + axis + " is given twice in " + Arrays.toString(axes));
            }
            if (shape[a] == 0) {
                throw new IllegalArgumentException(name + ": cannot reduce over empty axis " + axis + " of shape "
                        + Shapes.str(shape) + " (expected a size >= 1)");
            }
            reduced[a] = true;
        }
        // One axis at a time: each pass is a reduction of [outer, n, inner] over n.
        Tensor cur = x;
        int[] curShape = shape.clone();
        for (int a = 0; a < shape.length; a++) {
            if (!reduced[a]) {
                continue;
            }
            int[] next = curShape.clone();
            next[a] = 1;
            Tensor out = Ops.empty(x.backend(), x.dtype(), next);
            x.backend().reduce(op, cur.storage(), Ops.prod(curShape, 0, a), curShape[a],
                    Ops.prod(curShape, a + 1, curShape.length), out.storage());
            cur = out;
            curShape = next;
        }
        if (cur == x) {
            cur = x.detach().copy();
        }
        Reduce f = new Reduce(op, x, curShape);
        f.kept = cur;
        Tensor result = keepDims ? cur : Tensor.wrap(cur.storage(), dropped(shape, reduced));
        return f.record(result);
    }

    private static int[] dropped(int[] shape, boolean[] reduced) {
        int n = 0;
        for (boolean r : reduced) {
            n += r ? 0 : 1;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!reduced[i]) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gk = g.reshape(keptShape);
        if (op == ReduceOp.SUM) {
            return new Tensor[] {gk.broadcastTo(x.shape())};
        }
        // The extreme elements share the gradient equally, as torch.amax/amin.
        Tensor mask = x.eq(kept);
        Tensor count = mask.sum(axesOf(), true);
        return new Tensor[] {mask.div(count).mul(gk)};
    }

    private int[] axesOf() {
        int[] shape = x.shape();
        int n = 0;
        int[] axes = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (keptShape[i] == 1 && shape[i] != 1) {
                axes[n++] = i;
            }
        }
        return Arrays.copyOf(axes, n);
    }

    @Override
    public String name() {
        return "Reduce(" + op + ")";
    }
}
