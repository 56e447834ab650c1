package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The PTX loader on a real driver: shipped modules load; a too-new ISA fails with a clear message. */
@Tag("gpu")
class PtxLoaderTest {

    @Test
    void shippedModulesLoad() {
        GpuTests.requireGpu();
        CudaDevice dev = CudaDevice.get(0);
        for (String module : new String[] {"elementwise", "reduce", "conv", "random", "optim", "gemm", "norm",
            "recurrent"}) {
            assertNotNull(dev.kernels.function(module, switch (module) {
                case "elementwise" -> "unary_f32";
                case "reduce" -> "reduce_rows_f32";
                case "conv" -> "im2col_f32";
                case "random" -> "dropout_mask_f32";
                case "optim" -> "sgd_f32";
                case "norm" -> "layer_norm_f32";
                case "recurrent" -> "lstm_cell_forward_f32";
                default -> "gemm_f32";
            }));
        }
    }

    @Test
    void unsupportedPtxVersionIsExplained() {
        GpuTests.requireGpu();
        CudaDevice dev = CudaDevice.get(0);
        dev.context.makeCurrent();
        String ptx = ".version 99.0\n.target sm_80\n.address_size 64\n\n.visible .entry nothing()\n{\n\tret;\n}\n";
        CudaError e = assertThrows(CudaError.class, () -> PtxModules.load("future.ptx", ptx,
                dev.context.driverVersion()));
        String m = e.getMessage();
        assertTrue(m.contains("future.ptx") && m.contains("PTX ISA 99.0") && m.contains("supports PTX ISA up to"), m);
    }
}
