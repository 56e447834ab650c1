package org.trainer.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The kernels of one context: PTX modules load on first use, functions are looked up once, and
 * launches go to the legacy default stream, which orders them with memory copies and cuBLAS.
 *
 * <p>Launch arguments are converted by type: a {@link CudaStorage} or {@link CUdeviceptr} passes
 * its device address, Integer/Long/Float/Double pass by value, an int[] passes as a struct of
 * ints by value (the kernels' Dims and Geom) and a long[] as a struct of 64-bit words by value (the
 * optimizers' TensorTable). The driver copies as many bytes as the kernel declares for the
 * parameter from the array, so an array must be exactly the size of its struct.
 */
final class Kernels {
    static final int BLOCK = 256;
    /** Grid-stride kernels need no more blocks than this to fill any current GPU. */
    private static final long MAX_BLOCKS = 65535L * 8;

    private final CudaContext context;
    private final DeviceTimer timer;
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();

    Kernels(CudaContext context, DeviceTimer timer) {
        this.context = context;
        this.timer = timer;
    }

    /** The function {@code name} of module {@code module} (e.g. "elementwise", "unary_f32"). */
    CUfunction function(String module, String name) {
        return functions.computeIfAbsent(module + "/" + name, k -> {
            CUmodule m = modules.computeIfAbsent(module, n -> PtxModules.load(n + ".ptx", PtxModules.resource(n),
                    context.driverVersion()));
            CUfunction f = new CUfunction();
            CudaCheck.check(cuModuleGetFunction(f, m, name), "cuModuleGetFunction(" + module + ".ptx, " + name + ")");
            return f;
        });
    }

    /** Launches a grid-stride kernel over {@code total} elements, in blocks of {@link #BLOCK}. */
    void launch(String module, String name, long total, Object... args) {
        if (total <= 0) {
            return;
        }
        int blocks = (int) Math.min(MAX_BLOCKS, (total + BLOCK - 1) / BLOCK);
        launchGrid(module, name, blocks, 1, 1, BLOCK, 1, args);
    }

    /** Launches with an explicit grid and block shape; timed when the device's timer is on. */
    void launchGrid(String module, String name, int gx, int gy, int gz, int bx, int by, Object... args) {
        context.makeCurrent();
        CUfunction f = function(module, name);
        Pointer params = params(args);
        boolean timed = timer.start();
        try {
            CudaCheck.check(cuLaunchKernel(f, gx, gy, gz, bx, by, 1, 0, null, params, null),
                    "launching " + module + ".ptx " + name);
        } finally {
            if (timed) {
                timer.stop();
            }
        }
    }

    private static Pointer params(Object[] args) {
        NativePointerObject[] p = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CudaStorage s) {
                p[i] = Pointer.to(s.pointer());
            } else if (a instanceof CUdeviceptr d) {
                p[i] = Pointer.to(d);
            } else if (a instanceof Integer v) {
                p[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Long v) {
                p[i] = Pointer.to(new long[] {v});
            } else if (a instanceof Float v) {
                p[i] = Pointer.to(new float[] {v});
            } else if (a instanceof Double v) {
                p[i] = Pointer.to(new double[] {v});
            } else if (a instanceof int[] v) {
                p[i] = Pointer.to(v);
            } else if (a instanceof long[] v) {
                p[i] = Pointer.to(v);
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of type "
                        + (a == null ? "null" : a.getClass().getName()) + " is not supported");
            }
        }
        return Pointer.to(p);
    }
}
