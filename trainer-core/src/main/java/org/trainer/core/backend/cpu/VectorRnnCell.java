package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RnnCellKernel} with the Vector API, with the rational tanh of {@link VectorLstmCell}
 * (which rounds the same compiled or not). Elements past the last full vector take the scalar code
 * of {@link PortableRnnCell}.
 *
 * <p>Loaded only through {@link CpuRnn} after it has checked that {@code jdk.incubator.vector} is
 * in the boot layer; referencing this class without the module would fail to link.
 */
final class VectorRnnCell implements RnnCellKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Public so that {@link CpuRnn} can create it reflectively. */
    public VectorRnnCell() {
    }

    @Override
    public void forward(int n, int hidden, boolean relu, float[] h, int hOff, float[] xProj, int xOff, float[] bias) {
        int full = hidden - hidden % L;
        for (int r = 0; r < n; r++) {
            int ho = hOff + r * hidden;
            int xo = xOff + r * hidden;
            for (int j = 0; j < full; j += L) {
                FloatVector z = FloatVector.fromArray(S, h, ho + j).add(FloatVector.fromArray(S, xProj, xo + j));
                if (bias != null) {
                    z = z.add(FloatVector.fromArray(S, bias, j));
                }
                (relu ? z.max(0f) : VectorLstmCell.tanh(z)).intoArray(h, ho + j);
            }
            PortableRnnCell.forwardRow(full, hidden, relu, h, ho, xProj, xo, bias);
        }
    }

    @Override
    public void backward(int size, boolean relu, float[] h, int hOff, float[] gOut, int goOff, float[] dh, int dOff,
                         float[] dz, int dzOff) {
        int full = size - size % L;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < full; i += L) {
            FloatVector gh = FloatVector.fromArray(S, gOut, goOff + i);
            if (dh != null) {
                gh = gh.add(FloatVector.fromArray(S, dh, dOff + i));
            }
            FloatVector y = FloatVector.fromArray(S, h, hOff + i);
            FloatVector d = relu ? gh.blend(0f, y.compare(VectorOperators.LE, 0f)) : gh.mul(one.sub(y.mul(y)));
            d.intoArray(dz, dzOff + i);
        }
        PortableRnnCell.backwardRange(full, size, relu, h, hOff, gOut, goOff, dh, dOff, dz, dzOff);
    }
}
