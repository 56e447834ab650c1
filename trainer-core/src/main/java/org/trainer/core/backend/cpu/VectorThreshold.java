package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float row against a scalar threshold with the Vector API: o[j] = a[j] &gt;= t ? 1 : 0 by a
 * compare and a blend, without the branch the scalar loop mispredicts on random data (a dropout
 * mask's uniform draws). Loaded only when {@link VectorSupport#present()}.
 */
final class VectorThreshold {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorThreshold() {
    }

    /** o[oo + j] = a[ao + j] &gt;= t ? 1 : 0 for j in [0, n); NaN gives 0, as the scalar comparison. */
    static void greaterOrEqual(float[] a, int ao, float t, float[] o, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        for (int end = S.loopBound(n); j < end; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, a, ao + j);
            zero.blend(one, v.compare(VectorOperators.GE, t)).intoArray(o, oo + j);
        }
        for (; j < n; j++) {
            o[oo + j] = a[ao + j] >= t ? 1f : 0f;
        }
    }
}
