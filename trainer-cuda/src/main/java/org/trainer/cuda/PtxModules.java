package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * Loads the kernels' PTX (built by src/main/cuda/build-ptx.sh, shipped as resources) through the
 * driver, which JIT-compiles it for the device. A driver refuses PTX whose ISA version is newer
 * than it knows; that error is translated into one that names both versions and the fix.
 */
final class PtxModules {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+\\.\\d+)");

    /** CUDA release (major * 1000 + minor * 10) to the newest PTX ISA its driver JIT accepts. */
    private static final int[][] ISA_BY_CUDA = {
        {11000, 70}, {11010, 71}, {11020, 72}, {11030, 73}, {11040, 74}, {11050, 75}, {11060, 76}, {11070, 77},
        {11080, 78}, {12000, 80}, {12010, 81}, {12020, 82}, {12030, 83}, {12040, 84}, {12050, 85}, {12060, 85},
        {12080, 87}, {12090, 88}, {13000, 90},
    };

    private PtxModules() {
    }

    /** The PTX text of a resource module, e.g. "elementwise" for org/trainer/cuda/elementwise.ptx. */
    static String resource(String name) {
        String path = name + ".ptx";
        try (InputStream in = PtxModules.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel module " + path + " is missing beside "
                        + PtxModules.class.getName() + " (a broken trainer-cuda jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel module " + path + ": " + e.getMessage(), e);
        }
    }

    /** The ISA version in the PTX's .version line, or "unknown". */
    static String declaredVersion(String ptx) {
        Matcher m = VERSION.matcher(ptx);
        return m.find() ? m.group(1) : "unknown";
    }

    /** The newest PTX ISA a driver of this version accepts, e.g. "8.4" for 12040 (CUDA 12.4). */
    static String maxIsa(int driverVersion) {
        int best = -1;
        for (int[] row : ISA_BY_CUDA) {
            if (driverVersion >= row[0]) {
                best = row[1];
            }
        }
        if (best < 0) {
            return "below 7.0";
        }
        String v = best / 10 + "." + best % 10;
        return driverVersion > ISA_BY_CUDA[ISA_BY_CUDA.length - 1][0] ? "at least " + v : v;
    }

    /** "12.4" for 12040. */
    static String cudaVersion(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    /** Loads PTX text into the current context; {@code name} names it in errors. */
    static CUmodule load(String name, String ptx, int driverVersion) {
        byte[] text = ptx.getBytes(StandardCharsets.US_ASCII);
        byte[] image = new byte[text.length + 1]; // the driver reads a NUL-terminated string
        System.arraycopy(text, 0, image, 0, text.length);
        CUmodule module = new CUmodule();
        int r = cuModuleLoadData(module, image);
        if (r == CUresult.CUDA_SUCCESS) {
            return module;
        }
        if (r == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION || r == CUresult.CUDA_ERROR_INVALID_PTX) {
            throw new CudaError(unsupportedMessage(name, declaredVersion(ptx), driverVersion, CUresult.stringFor(r)));
        }
        throw new CudaError("loading kernel module " + name + " failed: " + CUresult.stringFor(r) + " (" + r + ")");
    }

    static String unsupportedMessage(String name, String declared, int driverVersion, String error) {
        return "kernel module " + name + " could not be loaded (" + error + "): it is PTX ISA " + declared
                + " (its .version line), and this CUDA " + cudaVersion(driverVersion)
                + " driver supports PTX ISA up to " + maxIsa(driverVersion)
                + ". Rebuild the PTX for an older ISA (trainer-cuda/src/main/cuda/build-ptx.sh, PTX_ISA) or update"
                + " the NVIDIA driver.";
    }
}
