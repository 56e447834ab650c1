package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.backend.BackendProvider;
import org.trainer.core.backend.Backends;
import org.trainer.core.train.Optimizer;

/**
 * The optimizers on cuda:0, where the update runs through the CUDA backend's fused kernels (SGD,
 * Adam and AdamW through its group steps, one launch for many parameters): the PyTorch
 * trajectories match as on the CPU (float64 to 1e-6, float32 to 1e-3), and a resumed Adam run is
 * bitwise an uninterrupted one. Skipped without a CUDA device
 * (trainer-cuda on the class path and a usable GPU), as every test tagged gpu.
 */
@Tag("gpu")
class CudaOptimizerTest {
    private static final Device CUDA = Device.cuda(0);

    @BeforeAll
    static void needsCuda() {
        BackendProvider p = Backends.provider("cuda");
        assumeTrue(p != null && p.isAvailable(), "no usable CUDA backend");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchInFloat64() {
        return OptimizerReferenceTest.trajectories(CUDA, DType.FLOAT64, 1e-6, 1e-12);
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchInFloat32() {
        return OptimizerReferenceTest.trajectories(CUDA, DType.FLOAT32, 1e-3, 1e-4);
    }

    @Test
    void resumingOnTheDeviceIsBitwiseIdentical() {
        Tensor w1Init = Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("w1")), 3, 4);
        Tensor w2Init = Tensor.fromArray(SgdTest.doubles(OptimizerReferenceTest.ROOT.get("w2")), 4);
        StateDictTest.Problem straight = onDevice(w1Init, w2Init);
        Optimizer a = straight.optimizer("Adam", Map.of("betas", List.of(0.9, 0.99), "amsgrad", true));
        straight.steps(a, 5);
        Map<String, Tensor> saved = a.stateDict();
        StateDictTest.Problem resumed = onDevice(straight.w1.value().to(Device.CPU), straight.w2.value().to(Device.CPU));
        straight.steps(a, 5);
        Optimizer b = resumed.optimizer("Adam", Map.of("betas", List.of(0.9, 0.99), "amsgrad", true));
        b.loadStateDict(saved);
        resumed.steps(b, 5);
        assertArrayEquals(straight.w1.value().toFloatArray(), resumed.w1.value().toFloatArray());
        assertArrayEquals(straight.w2.value().toFloatArray(), resumed.w2.value().toFloatArray());
    }

    private static StateDictTest.Problem onDevice(Tensor w1, Tensor w2) {
        return new StateDictTest.Problem(DType.FLOAT32, w1, w2, CUDA);
    }
}
