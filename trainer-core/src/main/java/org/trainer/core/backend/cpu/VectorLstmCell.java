package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LstmCellKernel} with the Vector API: a whole vector of each gate per iteration (a scalar
 * Math.exp costs several nanoseconds, and an LSTM step of batch 32 and hidden 256 evaluates five
 * transcendental functions on 8,192 elements). tanh is a rational approximation and
 * sigmoid(x) = (1 + tanh(x / 2)) / 2, built from multiply, add, fused multiply-add, divide, min
 * and max only: those round the same whether C2 has compiled them to vector instructions or not,
 * so results do not depend on when the JIT kicks in. (The Vector API's own EXP and TANH do: their
 * compiled form, Intel's SVML, and their Java fallback differ in the last bit, which made the
 * same training run differ between runs.) Columns past the last full vector take the scalar code
 * of {@link PortableLstmCell}.
 *
 * <p>Loaded only through {@link CpuLstm} after it has checked that {@code jdk.incubator.vector} is
 * in the boot layer; referencing this class without the module would fail to link.
 */
final class VectorLstmCell implements LstmCellKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Public so that {@link CpuLstm} can create it reflectively. */
    public VectorLstmCell() {
    }

    @Override
    public void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias,
                        float[] cPrev, int cpOff, float[] c, int cOff, float[] h, int hOff) {
        int full = hidden - hidden % L;
        for (int r = 0; r < n; r++) {
            int gr = gOff + r * 4 * hidden;
            int xr = xOff + r * 4 * hidden;
            int cp = cpOff + r * hidden;
            int co = cOff + r * hidden;
            int ho = hOff + r * hidden;
            for (int j = 0; j < full; j += L) {
                FloatVector zi = pre(gates, gr + j, xProj, xr + j, bias, j);
                FloatVector zf = pre(gates, gr + hidden + j, xProj, xr + hidden + j, bias, hidden + j);
                FloatVector zg = pre(gates, gr + 2 * hidden + j, xProj, xr + 2 * hidden + j, bias, 2 * hidden + j);
                FloatVector zo = pre(gates, gr + 3 * hidden + j, xProj, xr + 3 * hidden + j, bias, 3 * hidden + j);
                FloatVector i = sigmoid(zi);
                FloatVector f = sigmoid(zf);
                FloatVector g = tanh(zg);
                FloatVector o = sigmoid(zo);
                i.intoArray(gates, gr + j);
                f.intoArray(gates, gr + hidden + j);
                g.intoArray(gates, gr + 2 * hidden + j);
                o.intoArray(gates, gr + 3 * hidden + j);
                FloatVector cv = f.fma(FloatVector.fromArray(S, cPrev, cp + j), i.mul(g));
                cv.intoArray(c, co + j);
                o.mul(tanh(cv)).intoArray(h, ho + j);
            }
            PortableLstmCell.forwardRow(hidden, full, hidden, gates, gr, xProj, xr, bias, cPrev, cp, c, co, h, ho);
        }
    }

    @Override
    public void backward(int n, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff, float[] c, int cOff,
                         float[] gOut, int goOff, float[] dh, float[] dc, int dOff, float[] dz, int dzOff) {
        int full = hidden - hidden % L;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int r = 0; r < n; r++) {
            int gr = gOff + r * 4 * hidden;
            int dr = dzOff + r * 4 * hidden;
            int k = r * hidden;
            int d = dOff + k;
            for (int j = 0; j < full; j += L) {
                FloatVector i = FloatVector.fromArray(S, gates, gr + j);
                FloatVector f = FloatVector.fromArray(S, gates, gr + hidden + j);
                FloatVector g = FloatVector.fromArray(S, gates, gr + 2 * hidden + j);
                FloatVector o = FloatVector.fromArray(S, gates, gr + 3 * hidden + j);
                FloatVector t = tanh(FloatVector.fromArray(S, c, cOff + k + j));
                FloatVector gh = FloatVector.fromArray(S, gOut, goOff + k + j);
                if (dh != null) {
                    gh = gh.add(FloatVector.fromArray(S, dh, d + j));
                }
                FloatVector gc = FloatVector.fromArray(S, dc, d + j).add(gh.mul(o).mul(one.sub(t.mul(t))));
                gc.mul(g).mul(i).mul(one.sub(i)).intoArray(dz, dr + j);
                gc.mul(FloatVector.fromArray(S, cPrev, cpOff + k + j)).mul(f).mul(one.sub(f))
                        .intoArray(dz, dr + hidden + j);
                gc.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, dr + 2 * hidden + j);
                gh.mul(t).mul(o).mul(one.sub(o)).intoArray(dz, dr + 3 * hidden + j);
                gc.mul(f).intoArray(dc, d + j);
            }
            PortableLstmCell.backwardRow(hidden, full, hidden, gates, gr, cPrev, cpOff + k, c, cOff + k, gOut,
                    goOff + k, dh, d, dc, d, dz, dr);
        }
    }

    private static FloatVector pre(float[] gates, int g, float[] xProj, int x, float[] bias, int b) {
        FloatVector z = FloatVector.fromArray(S, gates, g).add(FloatVector.fromArray(S, xProj, x));
        return bias == null ? z : z.add(FloatVector.fromArray(S, bias, b));
    }

    /** sigmoid(z) = 1 / (1 + exp(-z)) = (1 + tanh(z / 2)) / 2. */
    static FloatVector sigmoid(FloatVector z) {
        return tanh(z.mul(0.5f)).fma(0.5f, 0.5f);
    }

    /**
     * tanh(x) for float: x clamped to +-7.9053 (where tanh rounds to +-1), then the odd rational
     * function p(x) / q(x) of degrees 13 and 6 that Eigen uses for float tanh (absolute error
     * about 1e-7, a few units in the last place).
     */
    static FloatVector tanh(FloatVector v) {
        FloatVector x = v.max(-7.90531110763549805f).min(7.90531110763549805f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-2.76076847742355e-16f, 2.00018790482477e-13f);
        p = p.fma(x2, FloatVector.broadcast(S, -8.60467152213735e-11f));
        p = p.fma(x2, FloatVector.broadcast(S, 5.12229709037114e-08f));
        p = p.fma(x2, FloatVector.broadcast(S, 1.48572235717979e-05f));
        p = p.fma(x2, FloatVector.broadcast(S, 6.37261928875436e-04f));
        p = p.fma(x2, FloatVector.broadcast(S, 4.89352455891786e-03f));
        p = p.mul(x);
        FloatVector q = x2.fma(1.19825839466702e-06f, 1.18534705686654e-04f);
        q = q.fma(x2, FloatVector.broadcast(S, 2.26843463243900e-03f));
        q = q.fma(x2, FloatVector.broadcast(S, 4.89352518554385e-03f));
        return p.div(q);
    }
}
