package org.trainer.cuda;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.OpInput;
import org.trainer.core.OpRegistry;
import org.trainer.core.OpRegistry.Case;
import org.trainer.core.OpRegistry.Suite;
import org.trainer.core.Tensor;

/**
 * Every CONFORMANCE case of core's {@link OpRegistry} (each primitive, layout op, reduction,
 * softmax, product, convolution, pooling, gather and loss), through the public Tensor API, on the
 * CPU and on cuda:0 with the same random inputs (odd sizes included), forward and backward, in
 * float32 and float64. Inputs move with {@code tensor.to(device)}; backward runs on each tensor's
 * own backend. A new op joins by its registry entry; core's OpRegistryTest fails until it has a
 * conformance case.
 */
@Tag("gpu")
class ConformanceTest {
    private static final double TOL32 = 1e-4;
    private static final double TOL64 = 1e-9;

    private static final Random SIZES = new Random(20240611);

    /** A random size, odd more often than not, so no kernel gets only tile-aligned shapes. */
    private static int d() {
        int[] choices = {1, 2, 3, 5, 7, 8, 13, 17, 31, 33, 64, 65};
        return choices[SIZES.nextInt(choices.length)];
    }

    @TestFactory
    Stream<DynamicTest> float32() {
        return tests(DType.FLOAT32, TOL32);
    }

    @TestFactory
    Stream<DynamicTest> float64() {
        return tests(DType.FLOAT64, TOL64);
    }

    /** The registry's sizes A, B and E for one run: random, B at least 3. */
    private static int[] sizes() {
        return new int[] {d(), d() + 2, d()};
    }

    private Stream<DynamicTest> tests(DType dtype, double tol) {
        int[] sizes = sizes();
        return OpRegistry.cases(Suite.CONFORMANCE).map(c -> DynamicTest.dynamicTest(c.label() + " " + dtype,
                () -> run(c, sizes, dtype, tol)));
    }

    private static void run(Case c, int[] sizes, DType dtype, double tol) {
        Device dev = GpuTests.device();
        Random r = new Random(c.label().hashCode());
        Tensor[] cpu = new Tensor[c.inputs().size()];
        Tensor[] gpu = new Tensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = c.inputs().get(i).make(dtype, r, sizes);
            gpu[i] = cpu[i].to(dev);
            if (cpu[i].dtype().isFloating()) {
                cpu[i].requiresGrad(true);
                gpu[i].requiresGrad(true);
            }
        }
        Tensor yc = c.apply(cpu);
        Tensor yg = c.apply(gpu);
        String where = c.label() + " " + dtype;
        // A fused op (the LSTM and GRU recurrences) answers null where the device's backend lacks the
        // capability: its layer then composes the steps from primitives, which the other cases cover.
        org.junit.jupiter.api.Assumptions.assumeTrue(yg != null, where + ": the device offers no fused kernel for it");
        if (!GpuTests.SELF_CHECK) {
            org.junit.jupiter.api.Assertions.assertEquals(dev, yg.device(), where + ": output device");
        }
        // A float32 result (a cast from float64) is held to float32's tolerance, whatever the input.
        double outTol = yc.dtype() == DType.FLOAT32 ? Math.max(tol, TOL32) : tol;
        Close.assertClose(where + " forward", yc.toDoubleArray(), yg.toDoubleArray(), outTol);
        if (!yc.requiresGrad() || !yc.dtype().isFloating()) {
            return;
        }
        Tensor g = OpInput.any(yc.shape()).make(yc.dtype(), r, sizes);
        yc.backward(g);
        yg.backward(g.to(dev));
        for (int i = 0; i < cpu.length; i++) {
            if (cpu[i].grad() != null) {
                org.junit.jupiter.api.Assertions.assertNotNull(gpu[i].grad(), where + ": gradient of input " + i);
                Close.assertClose(where + " gradient of input " + i, cpu[i].grad().toDoubleArray(),
                        gpu[i].grad().toDoubleArray(), outTol * 10);
            }
        }
    }
}
