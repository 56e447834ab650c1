package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.TestDevice;
import org.trainer.core.backend.cpu.CpuBackend;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * SGD, Adam and AdamW hand the parameters of a group to the backend in one group step where they
 * share the step's scalars, and in consecutive group steps, in parameter order, where they do not:
 * a parameter's first momentum step, or its step count behind the others' after it was frozen.
 * Either way the weights are, bit for bit, those of one single-tensor step per parameter.
 *
 * <p>Four parameters of odd sizes and mixed dtypes in two groups, [p0, p1, p2] and [p3]; p1 is
 * frozen for the first step. The loss is the sum of squares of each trainable parameter.
 */
class GroupStepTest {
    private static final int[] SIZES = {3, 1, 257, 5};
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.FLOAT32, DType.FLOAT64};
    private static final int STEPS = 3;

    private static Parameter[] parameters(Device device) {
        Random r = new Random(42);
        Parameter[] p = new Parameter[SIZES.length];
        for (int i = 0; i < p.length; i++) {
            double[] d = new double[SIZES[i]];
            for (int k = 0; k < d.length; k++) {
                d[k] = r.nextGaussian();
            }
            p[i] = new Parameter(Tensor.fromArray(d, d.length).to(DTYPES[i]).to(device));
        }
        return p;
    }

    private static List<ParameterGroup> groups(Parameter[] p) {
        return List.of(new ParameterGroup(List.of(p[0], p[1], p[2]), 0.1, 0.01),
                new ParameterGroup(List.of(p[3]), 0.05, 0));
    }

    /** Gradients for step t (1-based): p1 is frozen in step 1. */
    private static void backward(Parameter[] p, int t) {
        p[1].setTrainable(t > 1);
        for (Parameter q : p) {
            q.zeroGrad();
            if (q.isTrainable()) {
                q.value().pow(2).sum().backward();
            }
        }
    }

    /** The optimizer steps the test device was asked for since the last call, e.g. "sgdSteps n=3 first=true". */
    private static List<String> takeSteps() {
        List<String> steps = new ArrayList<>();
        for (TestDevice.Call c : TestDevice.takeLog()) {
            List<Object> a = c.args();
            steps.add(switch (c.method()) {
                case "sgdStep" -> "sgdStep first=" + a.get(8);
                case "sgdSteps" -> "sgdSteps n=" + ((Storage[]) a.get(0)).length + " first=" + a.get(8);
                case "adamStep" -> "adamStep step=" + a.get(11);
                case "adamSteps" -> "adamSteps n=" + ((Storage[]) a.get(0)).length + " step=" + a.get(11);
                default -> throw new IllegalStateException("not logged: " + c.method());
            });
        }
        return steps;
    }

    /** Runs the optimizer on the test device; returns the steps it asked for, one list per step. */
    private static List<List<String>> run(Parameter[] p, Optimizer opt) {
        TestDevice.log("sgdStep", "sgdSteps", "adamStep", "adamSteps");
        takeSteps();
        List<List<String>> calls = new ArrayList<>();
        for (int t = 1; t <= STEPS; t++) {
            backward(p, t);
            opt.step();
            calls.add(takeSteps());
        }
        return calls;
    }

    private static Storage zeros(Parameter p) {
        return Backends.cpu().allocate(p.value().dtype(), p.numel());
    }

    private static void assertSameWeights(Parameter[] expected, Parameter[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i].value().toDoubleArray(), actual[i].value().toDoubleArray(), "p" + i);
        }
    }

    @Test
    void sgdGroupsParametersByTheirFirstStep() {
        Parameter[] p = parameters(TestDevice.DEVICE);
        List<List<String>> calls = run(p, new SGD(OptimizerGroup.from(groups(p), SGD.options(0).withMomentum(0.9).withDampening(0.1))));
        assertEquals(List.of(
                List.of("sgdSteps n=2 first=true", "sgdSteps n=1 first=true"),
                List.of("sgdSteps n=1 first=false", "sgdSteps n=1 first=true", "sgdSteps n=1 first=false",
                        "sgdSteps n=1 first=false"),
                List.of("sgdSteps n=3 first=false", "sgdSteps n=1 first=false")), calls);

        Parameter[] q = parameters(Device.CPU);
        CpuBackend cpu = (CpuBackend) Backends.cpu();
        List<ParameterGroup> groups = groups(q);
        Storage[] buf = new Storage[q.length];
        for (int t = 1; t <= STEPS; t++) {
            backward(q, t);
            for (ParameterGroup g : groups) {
                for (Parameter x : g.parameters()) {
                    if (x.isTrainable()) {
                        int i = List.of(q).indexOf(x);
                        boolean first = buf[i] == null;
                        if (first) {
                            buf[i] = zeros(x);
                        }
                        cpu.sgdStep(x.value().storage(), x.grad().storage(), buf[i], g.learningRate(), 0.9, 0.1,
                                g.weightDecay(), false, first);
                    }
                }
            }
        }
        assertSameWeights(q, p);
    }

    @Test
    void plainSgdMakesOneGroupStepPerGroup() {
        Parameter[] p = parameters(TestDevice.DEVICE);
        List<List<String>> calls = run(p, new SGD(OptimizerGroup.from(groups(p), SGD.options(0))));
        assertEquals(List.of(
                List.of("sgdSteps n=2 first=false", "sgdSteps n=1 first=false"),
                List.of("sgdSteps n=3 first=false", "sgdSteps n=1 first=false"),
                List.of("sgdSteps n=3 first=false", "sgdSteps n=1 first=false")), calls);
    }

    @Test
    void adamGroupsParametersByTheirStepCount() {
        for (boolean decoupled : new boolean[] {false, true}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                adam(decoupled, amsgrad);
            }
        }
    }

    private static void adam(boolean decoupled, boolean amsgrad) {
        Parameter[] p = parameters(TestDevice.DEVICE);
        Adam.Options o = Adam.options(0).withBetas(0.9, 0.99).withAmsgrad(amsgrad);
        Optimizer opt = decoupled ? new AdamW(OptimizerGroup.from(groups(p), o))
                : new Adam(OptimizerGroup.from(groups(p), o));
        List<List<String>> calls = run(p, opt);
        // p1 is a step behind p0 and p2 from step 2 on.
        assertEquals(List.of(
                List.of("adamSteps n=2 step=1", "adamSteps n=1 step=1"),
                List.of("adamSteps n=1 step=2", "adamSteps n=1 step=1", "adamSteps n=1 step=2",
                        "adamSteps n=1 step=2"),
                List.of("adamSteps n=1 step=3", "adamSteps n=1 step=2", "adamSteps n=1 step=3",
                        "adamSteps n=1 step=3")), calls, "decoupled=" + decoupled + " amsgrad=" + amsgrad);

        Parameter[] q = parameters(Device.CPU);
        CpuBackend cpu = (CpuBackend) Backends.cpu();
        List<ParameterGroup> groups = groups(q);
        Storage[][] state = new Storage[q.length][];
        long[] steps = new long[q.length];
        for (int t = 1; t <= STEPS; t++) {
            backward(q, t);
            for (ParameterGroup g : groups) {
                for (Parameter x : g.parameters()) {
                    if (x.isTrainable()) {
                        int i = List.of(q).indexOf(x);
                        if (state[i] == null) {
                            state[i] = new Storage[] {zeros(x), zeros(x), zeros(x)};
                        }
                        steps[i]++;
                        cpu.adamStep(x.value().storage(), x.grad().storage(), state[i][0], state[i][1],
                                amsgrad ? state[i][2] : null, g.learningRate(), 0.9, 0.99, 1e-8, g.weightDecay(),
                                decoupled, steps[i]);
                    }
                }
            }
        }
        assertSameWeights(q, p);
    }
}
