package org.trainer.core.backend.cpu;

import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Storage;

/** A storage backed by one Java array: float[], double[] or int[] by dtype. */
final class CpuStorage implements Storage {
    final CpuBackend backend;
    final DType dtype;
    final float[] f;
    final double[] d;
    final int[] i;

    CpuStorage(CpuBackend backend, float[] f) {
        this(backend, DType.FLOAT32, f, null, null);
    }

    CpuStorage(CpuBackend backend, double[] d) {
        this(backend, DType.FLOAT64, null, d, null);
    }

    CpuStorage(CpuBackend backend, int[] i) {
        this(backend, DType.INT32, null, null, i);
    }

    private CpuStorage(CpuBackend backend, DType dtype, float[] f, double[] d, int[] i) {
        this.backend = backend;
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.i = i;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return switch (dtype) {
            case FLOAT32 -> f.length;
            case FLOAT64 -> d.length;
            case INT32 -> i.length;
        };
    }

    @Override
    public Backend backend() {
        return backend;
    }

    // Null checks on final fields, not a switch on the dtype: the JIT hoists them out of hot loops,
    // while an enum switch reloads its lookup table on every element.
    double get(int k) {
        return f != null ? f[k] : d != null ? d[k] : i[k];
    }

    void set(int k, double v) {
        if (f != null) {
            f[k] = (float) v;
        } else if (d != null) {
            d[k] = v;
        } else {
            i[k] = (int) v;
        }
    }

    @Override
    public String toString() {
        return "CpuStorage[" + dtype + ", " + size() + "]";
    }
}
