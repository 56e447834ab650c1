package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.PrimitiveBackend;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;

/**
 * The CPU backend's fused optimizer steps (SGD, Adam, AdamW, RMSprop, Adagrad) and softmax
 * cross-entropy agree with the composed fallbacks that a backend without those capabilities runs:
 * the same optimizers on {@link PrimitiveBackend#DEVICE} (the CPU's primitives, no capability) take
 * their Tensor-level reference update, and the loss its composition from primitives. Each
 * optimizer runs over the options from the same random O(1) state of 70,001 elements (more than
 * one parallel chunk), float64 and float32; and a small MLP trains for a few steps on both devices
 * from the same seed. float64 agrees to 1e-12 of the operands' scale, float32 to 1e-5.
 */
class FusedFallbackTest {
    private static final int N = 70_001;
    private static final int STEPS = 3;

    /** Every optimizer's option combinations that pick different fused and reference paths. */
    static Map<String, Function<List<Parameter>, Optimizer>> optimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new java.util.LinkedHashMap<>();
        for (double momentum : new double[] {0, 0.9}) {
            for (boolean nesterov : new boolean[] {false, true}) {
                if (nesterov && momentum == 0) {
                    continue;
                }
                m.put("SGD momentum=" + momentum + " nesterov=" + nesterov, p -> new SGD(p, SGD.options(0.05)
                        .withMomentum(momentum).withDampening(nesterov ? 0 : 0.1).withWeightDecay(0.01)
                        .withNesterov(nesterov)));
            }
        }
        for (boolean amsgrad : new boolean[] {false, true}) {
            for (double wd : new double[] {0, 0.1}) {
                m.put("Adam amsgrad=" + amsgrad + " wd=" + wd,
                        p -> new Adam(p, Adam.options(0.01).withWeightDecay(wd).withAmsgrad(amsgrad)));
                m.put("AdamW amsgrad=" + amsgrad + " wd=" + wd,
                        p -> new AdamW(p, AdamW.options(0.01).withWeightDecay(wd).withAmsgrad(amsgrad)));
            }
        }
        for (boolean centered : new boolean[] {false, true}) {
            for (double momentum : new double[] {0, 0.9}) {
                m.put("RMSprop centered=" + centered + " momentum=" + momentum, p -> new RMSprop(p,
                        RMSprop.options(0.01).withCentered(centered).withMomentum(momentum).withWeightDecay(0.05)));
            }
        }
        for (double lrDecay : new double[] {0, 0.1}) {
            m.put("Adagrad lrDecay=" + lrDecay, p -> new Adagrad(p, Adagrad.options(0.1).withLrDecay(lrDecay)
                    .withWeightDecay(0.2)));
        }
        return m;
    }

    private static Parameter parameter(DType dtype, Device device, long seed) {
        Random r = new Random(seed);
        double[] d = new double[N];
        for (int k = 0; k < N; k++) {
            d[k] = r.nextGaussian();
        }
        return new Parameter(Tensor.fromArray(d, N).to(dtype).to(device));
    }

    /** Runs STEPS steps with gradient (w - 0.3)^2 summed, cubed per step to vary; returns the weights. */
    private static double[] run(Function<List<Parameter>, Optimizer> make, DType dtype, Device device) {
        Parameter p = parameter(dtype, device, 11);
        Optimizer opt = make.apply(List.of(p));
        for (int t = 0; t < STEPS; t++) {
            p.zeroGrad();
            p.value().sub(0.3).pow(2).sum().mul(t + 1).backward();
            opt.step();
        }
        return p.value().toDoubleArray();
    }

    private static void agree(String what, DType dtype, double[] fused, double[] composed) {
        double rel = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int k = 0; k < fused.length; k++) {
            // O(1) operands whose updates cancel: the rounding error scales with them, not with the result
            if (!(Math.abs(fused[k] - composed[k]) <= rel * (Math.abs(composed[k]) + 1))) {
                throw new AssertionError(what + " " + dtype + ": element " + k + " fused " + fused[k]
                        + ", composed " + composed[k]);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> fusedStepsMatchTheReferenceUpdateOnABackendWithoutThem() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            optimizers().forEach((name, make) -> tests.add(DynamicTest.dynamicTest(name + " " + dtype, () -> agree(
                    name, dtype, run(make, dtype, Device.CPU), run(make, dtype, PrimitiveBackend.DEVICE)))));
        }
        assertTrue(tests.size() > 25);
        return tests.stream();
    }

    /** A 2-layer MLP trained STEPS steps on device with cross-entropy; returns every weight. */
    private static List<double[]> train(Function<List<Parameter>, Optimizer> make, DType dtype, Device device) {
        Seeds.set(5);
        Module model = new Sequential(new Linear(6, 16), new Activation.ReLU(), new Linear(16, 4));
        model.to(dtype);
        model.to(device);
        Optimizer opt = make.apply(model.parameters());
        Random r = new Random(3);
        double[] x = new double[32 * 6];
        int[] y = new int[32];
        for (int i = 0; i < 32; i++) {
            y[i] = r.nextInt(4);
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = r.nextGaussian() + (j == y[i] ? 1.5 : 0);
            }
        }
        Tensor features = Tensor.fromArray(x, 32, 6).to(dtype).to(device);
        Tensor labels = Tensor.fromArray(y, 32).to(device);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (int t = 0; t < 5; t++) {
            for (Parameter p : model.parameters()) {
                p.zeroGrad();
            }
            loss.compute(model.forward(features), labels).backward();
            opt.step();
        }
        List<double[]> w = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            w.add(p.value().toDoubleArray());
        }
        return w;
    }

    @Test
    void aSmallModelTrainsTheSameThroughTheFallbacks() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (Map.Entry<String, Function<List<Parameter>, Optimizer>> e : optimizers().entrySet()) {
                List<double[]> fused = train(e.getValue(), dtype, Device.CPU);
                List<double[]> composed = train(e.getValue(), dtype, PrimitiveBackend.DEVICE);
                for (int i = 0; i < fused.size(); i++) {
                    // float32 rounding of the loss and its gradient compounds over the steps
                    agree("MLP " + e.getKey() + " parameter " + i, dtype, fused.get(i), composed.get(i));
                }
            }
        }
    }
}
