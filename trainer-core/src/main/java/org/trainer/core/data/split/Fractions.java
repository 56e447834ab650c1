package org.trainer.core.data.split;

/** Checks the train/validation/test fractions and turns them into whole sample counts. */
final class Fractions {
    static final String[] PARTS = {"train", "validation", "test"};
    private static final double SUM_TOLERANCE = 1e-9;

    private Fractions() {
    }

    /**
     * The fractions as an array, after checking that each is finite and in [0, 1], that train is
     * positive and that they sum to 1 (to 1e-9).
     */
    static double[] check(String op, double train, double validation, double test) {
        double[] f = {train, validation, test};
        for (int p = 0; p < f.length; p++) {
            if (!(f[p] >= 0 && f[p] <= 1)) {
                throw new IllegalArgumentException(op + ": " + PARTS[p] + " fraction must be in [0, 1], got " + f[p]);
            }
        }
        if (train == 0) {
            throw new IllegalArgumentException(op + ": train fraction must be > 0, got 0.0");
        }
        double sum = train + validation + test;
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException(op + ": fractions must sum to 1, got " + train + " + " + validation
                    + " + " + test + " = " + sum);
        }
        return f;
    }

    /**
     * {@link #counts(int, double[], int)} for a whole split, refusing one that would leave a part
     * with a non-zero fraction empty (too few samples for the fractions).
     */
    static int[] nonEmpty(String op, int n, double[] f) {
        int[] counts = counts(n, f, 0);
        for (int p = 0; p < f.length; p++) {
            if (f[p] > 0 && counts[p] == 0) {
                throw new IllegalArgumentException(op + ": " + n + " sample" + (n == 1 ? " is" : "s are")
                        + " too few for a " + PARTS[p] + " fraction of " + f[p] + ": that part would be empty");
            }
        }
        return counts;
    }

    /**
     * Whole counts for n samples, Hamilton's largest-remainder rule: each part gets floor(n f_p),
     * and the samples left over go one each to the parts with the largest fractional remainders
     * (ties to the part first in the order rotated by {@code rotate}, so that many small classes do
     * not all favour the same part). The counts sum to n and each is floor or ceil of n f_p.
     */
    static int[] counts(int n, double[] f, int rotate) {
        int parts = f.length;
        int[] counts = new int[parts];
        double[] rest = new double[parts];
        int left = n;
        for (int p = 0; p < parts; p++) {
            double exact = n * f[p];
            counts[p] = (int) Math.floor(exact + SUM_TOLERANCE);
            rest[p] = exact - counts[p];
            left -= counts[p];
        }
        for (; left > 0; left--) {
            int best = -1;
            for (int r = 0; r < parts; r++) {
                int p = Math.floorMod(r + rotate, parts);
                if (f[p] > 0 && (best < 0 || rest[p] > rest[best])) {
                    best = p;
                }
            }
            counts[best]++;
            rest[best] = -1;
        }
        for (; left < 0; left++) {
            // Rounding of fractions that sum to just over 1: take the surplus back from the largest part.
            int largest = 0;
            for (int p = 1; p < parts; p++) {
                largest = counts[p] > counts[largest] ? p : largest;
            }
            counts[largest]--;
        }
        return counts;
    }
}
