package org.trainer.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reverse pass: walks the graph below a tensor in reverse topological order. */
final class Autograd {
    private Autograd() {
    }

    /** The end-of-pass listeners of the backward pass running on each thread; null outside a pass. */
    private static final ThreadLocal<List<BackwardListener>> LISTENERS = new ThreadLocal<>();

    static void whenEnds(BackwardListener listener) {
        List<BackwardListener> current = LISTENERS.get();
        if (current == null) {
            throw new IllegalStateException("whenBackwardEnds: no backward pass is running on this thread");
        }
        current.add(listener);
    }

    static void backward(Tensor root, Tensor seed) {
        List<BackwardListener> outer = LISTENERS.get();
        List<BackwardListener> listeners = new ArrayList<>();
        LISTENERS.set(listeners);
        boolean completed = false;
        try {
            run(root, seed);
            completed = true;
        } finally {
            // A hook's backward inside a listener (rare) gets its own list; the outer pass's comes back after.
            LISTENERS.set(outer);
            RuntimeException failure = null;
            for (int i = 0; i < listeners.size(); i++) {
                try {
                    listeners.get(i).backwardEnded(completed);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null && completed) {
                throw failure;
            }
        }
    }

    private static void run(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (GradMode off = new GradMode(false)) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Function fn = t.gradFn();
                if (fn == null) {
                    t.accumulateGrad(g, g.storage() != seed.storage());
                    t.runGradHooks();
                    continue;
                }
                Tensor[] inputGrads = fn.backward(g);
                Tensor[] inputs = fn.inputs();
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor gk = inputGrads[k];
                    if (gk == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!java.util.Arrays.equals(gk.shape(), in.shape())) {
                        throw new IllegalStateException(fn.name() + ".backward: gradient for input " + k + " has shape "
                                + Shapes.str(gk.shape()) + ", expected " + Shapes.str(in.shape()));
                    }
                    grads.merge(in, gk, Tensor::add);
                }
            }
        }
    }

    /** Tensors that require grad below root, each after all of its inputs (iterative DFS). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, Boolean.FALSE});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            Tensor t = (Tensor) top[0];
            if ((Boolean) top[1]) {
                order.add(t);
                continue;
            }
            if (!seen.add(t)) {
                continue;
            }
            stack.push(new Object[] {t, Boolean.TRUE});
            if (t.gradFn() != null) {
                for (Tensor in : t.gradFn().inputs()) {
                    if (in.requiresGrad() && !seen.contains(in)) {
                        stack.push(new Object[] {in, Boolean.FALSE});
                    }
                }
            }
        }
        return order;
    }
}
