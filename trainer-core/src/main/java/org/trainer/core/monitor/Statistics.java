package org.trainer.core.monitor;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Module;

/** The small figures of a {@link Snapshot}, computed from tensors on the training thread. */
final class Statistics {
    private Statistics() {
    }

    /**
     * One parameter's figures from its weights before and after the step and its gradient.
     *
     * @param grad null when the parameter got no gradient
     */
    static Snapshot.ParameterStats parameter(String name, int[] shape, float[] before, float[] after, float[] grad) {
        long fanIn = shape.length >= 2 && shape[0] > 0 ? before.length / shape[0] : 0;
        double sum = 0;
        double sq = 0;
        double upd = 0;
        double maxAbs = 0;
        long nonFinite = 0;
        for (int i = 0; i < before.length; i++) {
            double w = before[i];
            sum += w;
            sq += w * w;
            double a = after[i];
            double d = a - w;
            upd += d * d;
            if (Float.isFinite(after[i])) {
                maxAbs = Math.max(maxAbs, Math.abs(a));
            } else {
                nonFinite++;
            }
        }
        double gradSq = Double.NaN;
        if (grad != null) {
            gradSq = 0;
            for (float g : grad) {
                if (Float.isFinite(g)) {
                    gradSq += (double) g * g;
                    maxAbs = Math.max(maxAbs, Math.abs(g));
                } else {
                    nonFinite++;
                    gradSq = Double.NaN;
                }
            }
        }
        int n = before.length;
        double mean = n == 0 ? 0 : sum / n;
        double var = n == 0 ? 0 : Math.max(0, sq / n - mean * mean);
        return new Snapshot.ParameterStats(name, n, fanIn, Math.sqrt(sq), mean, Math.sqrt(var),
                Math.sqrt(gradSq), Math.sqrt(upd), maxAbs, nonFinite);
    }

    /** The kind of activation a monitor watches, or null for any other module. */
    static String kind(Module m) {
        if (m instanceof Activation.ReLU) {
            return "ReLU";
        }
        if (m instanceof Activation.Sigmoid) {
            return "Sigmoid";
        }
        if (m instanceof Activation.Tanh) {
            return "Tanh";
        }
        return null;
    }

    /** An activation layer's output figures over the batch (axis 0). */
    static Snapshot.ActivationStats activation(String name, String kind, Tensor out) {
        float[] y = out.toFloatArray();
        int rows = out.shape().length == 0 ? 1 : Math.max(1, out.shape()[0]);
        int units = y.length / rows;
        long zeros = 0;
        long saturated = 0;
        long nonFinite = 0;
        boolean[] alive = new boolean[units];
        double m = Snapshot.ActivationStats.SATURATION_MARGIN;
        boolean sigmoid = kind.equals("Sigmoid");
        boolean tanh = kind.equals("Tanh");
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!Float.isFinite(v)) {
                nonFinite++;
                continue;
            }
            if (v == 0) {
                zeros++;
            } else {
                alive[i % units] = true;
            }
            if ((sigmoid && (v <= m || v >= 1 - m)) || (tanh && Math.abs(v) >= 1 - m)) {
                saturated++;
            }
        }
        long dead = 0;
        for (boolean a : alive) {
            if (!a) {
                dead++;
            }
        }
        double n = Math.max(1, y.length);
        return new Snapshot.ActivationStats(name, kind, y.length, zeros / n, units == 0 ? 0 : (double) dead / units,
                saturated / n, nonFinite);
    }
}
