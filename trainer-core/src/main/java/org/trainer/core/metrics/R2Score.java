package org.trainer.core.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Coefficient of determination, as scikit-learn's {@code r2_score} (force_finite=True, outputs
 * averaged uniformly). For one output, over all n samples seen,
 * <pre>
 *   R^2 = 1 - SS_res / SS_tot,   SS_res = sum_i (y_i - x_i)^2,   SS_tot = sum_i (y_i - mean(y))^2
 * </pre>
 * When SS_tot = 0 (a constant target) R^2 is 1 if SS_res = 0 and 0 otherwise; with fewer than two
 * samples it is NaN. A prediction of shape [N] has one output; [N, K, ...] has numel / N outputs,
 * each scored separately and then averaged.
 *
 * <p>SS_tot needs the mean of all targets, which a stream does not know in advance; each output
 * keeps a running count, mean and sum of squared deviations and merges every batch into them with
 * Chan et al.'s pairwise update. Unlike sum(y^2) - n mean^2, this does not cancel catastrophically
 * when the targets sit far from zero.
 */
public final class R2Score implements Metric, Stateful {
    private int outputs = -1;
    private long count;
    private double[] mean;
    private double[] m2;
    private double[] ssRes;

    @Override
    public String name() {
        return "r2";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        double[][] v = RegressionInputs.read("R2Score", prediction, target);
        int n = prediction.rank() == 0 ? 1 : prediction.size(0);
        if (n == 0) {
            return;
        }
        int k = v[0].length / n;
        if (outputs < 0) {
            outputs = k;
            mean = new double[k];
            m2 = new double[k];
            ssRes = new double[k];
        } else if (k != outputs) {
            throw new IllegalArgumentException("R2Score: a batch of shape " + Shapes.str(prediction.shape()) + " has "
                    + k + " outputs per sample, earlier batches had " + outputs);
        }
        for (int j = 0; j < k; j++) {
            double batchMean = 0;
            for (int i = 0; i < n; i++) {
                batchMean += v[1][i * k + j];
            }
            batchMean /= n;
            double batchM2 = 0;
            for (int i = 0; i < n; i++) {
                double y = v[1][i * k + j];
                double d = y - batchMean;
                batchM2 += d * d;
                double r = y - v[0][i * k + j];
                ssRes[j] += r * r;
            }
            long total = count + n;
            double delta = batchMean - mean[j];
            m2[j] += batchM2 + delta * delta * ((double) count * n / total);
            mean[j] += delta * n / total;
        }
        count += n;
    }

    @Override
    public double compute() {
        if (count < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = 0; j < outputs; j++) {
            if (m2[j] != 0) {
                sum += 1 - ssRes[j] / m2[j];
            } else {
                sum += ssRes[j] == 0 ? 1 : 0;
            }
        }
        return sum / outputs;
    }

    @Override
    public void reset() {
        outputs = -1;
        count = 0;
        mean = null;
        m2 = null;
        ssRes = null;
    }

    /**
     * The running moments, for a mid-epoch checkpoint: "count" (float64 scalar) and, once a batch has
     * been seen, "mean", "m2" and "ss_res" (float64 [K] for K outputs).
     */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("count", StateEntries.scalar(count));
        if (outputs >= 0) {
            out.put("mean", StateEntries.vector(mean));
            out.put("m2", StateEntries.vector(m2));
            out.put("ss_res", StateEntries.vector(ssRes));
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        long n = StateEntries.readCount("R2Score", state, "count");
        if (state.size() == 1) {
            StateEntries.expectKeys("R2Score", state, Set.of("count"));
            if (n != 0) {
                throw new IllegalArgumentException("R2Score.loadStateDict: count is " + n + " but the moments are missing");
            }
            reset();
            return;
        }
        StateEntries.expectKeys("R2Score", state, Set.of("count", "mean", "m2", "ss_res"));
        Tensor m = state.get("mean");
        if (m.rank() != 1) {
            throw new IllegalArgumentException("R2Score.loadStateDict: 'mean' must be a vector, got rank " + m.rank());
        }
        int k = m.size(0);
        double[] mn = StateEntries.read("R2Score", state, "mean", k);
        double[] sq = StateEntries.read("R2Score", state, "m2", k);
        double[] res = StateEntries.read("R2Score", state, "ss_res", k);
        outputs = k;
        count = n;
        mean = mn;
        m2 = sq;
        ssRes = res;
    }

    @Override
    public String toString() {
        return "R2Score(" + compute() + " over " + count + " samples)";
    }
}
