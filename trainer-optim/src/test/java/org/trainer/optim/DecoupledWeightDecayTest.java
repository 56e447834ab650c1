package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * The seed fact of AdamW, in numbers, on the reference problem (float64, 25 steps, lr 0.02, weight
 * decay 0.1 on both groups). Adam divides its whole step, L2 term included, by sqrt(v), so the decay
 * it applies depends on the gradient's scale: multiply the loss by 1000 and the L2 term drowns in the
 * gradient, leaving plain Adam. AdamW shrinks w by (1 - lr lambda) outside the normalised step, and
 * Adam's step is invariant to the gradient's scale (up to eps), so AdamW's weights do not move when
 * the loss is scaled. Figures are logged at INFO.
 */
class DecoupledWeightDecayTest {
    private static final Logger LOG = LoggerFactory.getLogger(DecoupledWeightDecayTest.class);
    private static final double LR = 0.02;
    private static final double DECAY = 0.1;
    private static final int STEPS = 25;

    /** The weights (w1 then w2) after STEPS steps on the reference problem with its loss scaled. */
    static double[] train(Function<List<ParameterGroup>, Optimizer> make, double lossScale) {
        StateDictTest.Problem p = new StateDictTest.Problem(DType.FLOAT64);
        Optimizer opt = make.apply(List.of(new ParameterGroup(List.of(p.w1), LR, DECAY),
                new ParameterGroup(List.of(p.w2), LR, DECAY)));
        for (int i = 0; i < STEPS; i++) {
            opt.zeroGrad();
            Tensor w1 = p.w1.value();
            Tensor pred = p.x.matmul(w1).tanh().matmul(p.w2.value().reshape(4, 1)).reshape(6);
            pred.sub(p.y).pow(2).mean().add(w1.pow(3).sum().mul(0.1)).mul(lossScale).backward();
            opt.step();
        }
        double[] a = p.w1.value().toDoubleArray();
        double[] b = p.w2.value().toDoubleArray();
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void adamWDecayIsIndependentOfTheGradientScaleWhileAdamL2IsNot() {
        Function<List<ParameterGroup>, Optimizer> adamL2 = gs -> new Adam(OptimizerGroup.from(gs, Adam.options(0)));
        Function<List<ParameterGroup>, Optimizer> adamW = gs -> new AdamW(OptimizerGroup.from(gs, AdamW.options(0)));
        // The same Adam without any decay, to measure how much decay each run really applied.
        Function<List<ParameterGroup>, Optimizer> plain = gs -> new Adam(List.of(
                OptimizerGroup.of(gs.get(0).parameters(), Adam.options(LR)),
                OptimizerGroup.of(gs.get(1).parameters(), Adam.options(LR))));

        double[] l2x1 = train(adamL2, 1);
        double[] l2x1000 = train(adamL2, 1000);
        double[] wx1 = train(adamW, 1);
        double[] wx1000 = train(adamW, 1000);
        double[] plainx1 = train(plain, 1);
        double[] plainx1000 = train(plain, 1000);

        double l2VsW = maxDiff(l2x1, wx1);
        double wScale = maxDiff(wx1, wx1000);
        double l2Scale = maxDiff(l2x1, l2x1000);
        double l2Decay1 = maxDiff(l2x1, plainx1);
        double l2Decay1000 = maxDiff(l2x1000, plainx1000);
        double wDecay1 = maxDiff(wx1, plainx1);
        double wDecay1000 = maxDiff(wx1000, plainx1000);
        LOG.info("max |w_Adam+L2 - w_AdamW| at loss scale 1: {}", l2VsW);
        LOG.info("loss x1000 vs x1, max weight change: AdamW {}, Adam+L2 {}", wScale, l2Scale);
        LOG.info("effect of the decay (max |w - w_no_decay|): AdamW x1 {} x1000 {}; Adam+L2 x1 {} x1000 {}",
                wDecay1, wDecay1000, l2Decay1, l2Decay1000);

        assertTrue(l2VsW > 1e-2, "Adam+L2 and AdamW should end at different weights, max diff " + l2VsW);
        assertTrue(wScale < 1e-6, "AdamW's weights should not depend on the loss scale, max diff " + wScale);
        assertTrue(l2Scale > 1e-2, "Adam+L2's weights should depend on the loss scale, max diff " + l2Scale);
        assertTrue(Math.abs(wDecay1000 - wDecay1) < 1e-6 && wDecay1 > 1e-2,
                "AdamW's decay should be the same at both scales: " + wDecay1 + " vs " + wDecay1000);
        assertTrue(l2Decay1000 < l2Decay1 / 100,
                "Adam+L2's decay should all but vanish at scale 1000: " + l2Decay1 + " -> " + l2Decay1000);
    }
}
