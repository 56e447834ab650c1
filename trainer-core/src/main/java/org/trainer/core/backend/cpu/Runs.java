package org.trainer.core.backend.cpu;

/** Strided runs over a storage of any dtype: the inner loops that layout kernels share. */
final class Runs {
    private Runs() {
    }

    /** d[dof + j*ds] = s[so + j*ss] for j in [0, n). */
    static void copy(CpuStorage s, int so, int ss, CpuStorage d, int dof, int ds, int n) {
        if (ss == 1 && ds == 1) {
            switch (s.dtype) {
                case FLOAT32 -> System.arraycopy(s.f, so, d.f, dof, n);
                case FLOAT64 -> System.arraycopy(s.d, so, d.d, dof, n);
                case INT32 -> System.arraycopy(s.i, so, d.i, dof, n);
            }
            return;
        }
        switch (s.dtype) {
            case FLOAT32 -> {
                for (int j = 0; j < n; j++) {
                    d.f[dof + j * ds] = s.f[so + j * ss];
                }
            }
            case FLOAT64 -> {
                for (int j = 0; j < n; j++) {
                    d.d[dof + j * ds] = s.d[so + j * ss];
                }
            }
            case INT32 -> {
                for (int j = 0; j < n; j++) {
                    d.i[dof + j * ds] = s.i[so + j * ss];
                }
            }
        }
    }

    /** d[dof + j*ds] += s[so + j*ss] for j in [0, n); floating dtypes only. */
    static void add(CpuStorage s, int so, int ss, CpuStorage d, int dof, int ds, int n) {
        if (s.f != null && ss == 1 && ds == 1) {
            // Unit strides, the common case, get a loop the JIT vectorises.
            for (int j = 0; j < n; j++) {
                d.f[dof + j] += s.f[so + j];
            }
        } else if (s.f != null) {
            for (int j = 0; j < n; j++) {
                d.f[dof + j * ds] += s.f[so + j * ss];
            }
        } else {
            for (int j = 0; j < n; j++) {
                d.d[dof + j * ds] += s.d[so + j * ss];
            }
        }
    }

    /** Zeroes d[dof, dof + n). */
    static void zero(CpuStorage d, int dof, int n) {
        switch (d.dtype) {
            case FLOAT32 -> java.util.Arrays.fill(d.f, dof, dof + n, 0f);
            case FLOAT64 -> java.util.Arrays.fill(d.d, dof, dof + n, 0d);
            case INT32 -> java.util.Arrays.fill(d.i, dof, dof + n, 0);
        }
    }
}
