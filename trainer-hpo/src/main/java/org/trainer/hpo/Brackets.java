package org.trainer.hpo;

/**
 * Hyperband's bracket arithmetic (Li et al., JMLR 2018), shared by {@link HyperbandPruner} and
 * {@link HyperbandScheduler} so that both count the same brackets and give them the same sizes.
 * Exact integer arithmetic: no floating-point logarithm or ceiling can round a power of eta the
 * wrong way.
 */
final class Brackets {

    private Brackets() {
    }

    /**
     * The number of brackets, s_max + 1 with s_max = floor(log_eta(max / min)): the largest s
     * with min * eta^s &lt;= max.
     */
    static int count(int minResource, int maxResource, int eta) {
        int n = 1;
        for (long r = (long) minResource * eta; r <= maxResource; r *= eta) {
            n++;
        }
        return n;
    }

    /**
     * Hyperband's number of configurations for bracket s (s_max
     * for the most aggressive bracket down to 0): ceil(count * eta^s / (s + 1)).
     */
    static int configs(int count, int s, int eta) {
        if (s < 0 || s >= count) {
            throw new IllegalArgumentException("Brackets: s must be in [0, " + (count - 1) + "], got " + s);
        }
        long pow = 1;
        for (int i = 0; i < s; i++) {
            pow *= eta;
        }
        return Math.toIntExact((count * pow + s) / (s + 1));
    }
}
