package org.trainer.hpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Warm start from earlier studies (SageMaker's two kinds). The COMPLETE trials of the parent
 * studies become prior observations of a new study: COMPLETE {@link FrozenTrial}s numbered
 * -k, ..., -1 (k priors, in the parents' order: the first prior is -k, the last -1), which samplers receive ahead of the new study's
 * own trials (numbered from 0) in {@code trials}, and which {@link Study#bestTrial()} counts. A
 * model-based sampler uses them as data; random search cannot use them, but the best-so-far
 * includes them. Their values are taken as they are: the parents must optimize the same metric
 * in the same direction.
 *
 * <ul>
 *   <li>{@link #identical}: same data, same algorithm, same ranges: every prior must carry a legal
 *       value for every parameter of the space, else it is an error.</li>
 *   <li>{@link #transfer}: ranges or algorithm changed: each prior is mapped into the new space:
 *       parameters the space lacks are dropped; a prior without a value for one of the space's
 *       parameters is dropped; numbers convert between integer and float ranges (rounded to the
 *       nearest integer); a number outside its new range is clamped to it or drops the prior
 *       ({@link OutOfRange}); a categorical value that is not a choice drops the prior.</li>
 * </ul>
 */
public final class WarmStart {

    /** What to do with a prior whose value lies outside the new range. */
    public enum OutOfRange {
        /** Leave out the whole prior observation. */
        DROP,
        /** Move the value to the nearest bound of the new range. */
        CLAMP
    }

    /** Prior observations and the space they were mapped into. */
    public record Priors(SearchSpace space, List<FrozenTrial> trials) {
        /**
         * Checks the space is given and copies the trials.
         *
         * @param space the space the trials were mapped into
         * @param trials the trials
         */
        public Priors {
            Objects.requireNonNull(space, "WarmStart.Priors: space");
            trials = List.copyOf(Objects.requireNonNull(trials, "WarmStart.Priors: trials"));
        }
    }

    private WarmStart() {
    }

    /**
     * Identical data and algorithm: the parents' COMPLETE trials as they are.
     *
     * @param space the new study's space
     * @param parents the parent studies' trials
     * @return the priors
     */
    @SafeVarargs
    public static Priors identical(SearchSpace space, List<FrozenTrial>... parents) {
        List<Map<String, Object>> params = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (List<FrozenTrial> parent : parents) {
            for (FrozenTrial t : parent) {
                if (t.state() != TrialState.COMPLETE) {
                    continue;
                }
                for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
                    Object v = t.params().get(e.getKey());
                    if (!e.getValue().contains(v)) {
                        throw new IllegalArgumentException("WarmStart.identical: parent trial " + t.number() + " has "
                                + e.getKey() + " = " + v + ", not a value of " + e.getValue()
                                + "; use WarmStart.transfer when the ranges changed");
                    }
                }
                params.add(restrict(space, t.params()));
                values.add(t.value());
            }
        }
        return number(space, params, values);
    }

    /**
     * Transfer learning: the parents' COMPLETE trials mapped into {@code space} (see the class comment).
     *
     * @param space the new study's space
     * @param outOfRange what to do with values outside it
     * @param parents the parent studies' trials
     * @return the priors
     */
    @SafeVarargs
    public static Priors transfer(SearchSpace space, OutOfRange outOfRange, List<FrozenTrial>... parents) {
        Objects.requireNonNull(outOfRange, "WarmStart.transfer: outOfRange");
        List<Map<String, Object>> params = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (List<FrozenTrial> parent : parents) {
            for (FrozenTrial t : parent) {
                if (t.state() != TrialState.COMPLETE) {
                    continue;
                }
                Map<String, Object> mapped = new LinkedHashMap<>();
                for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
                    Object v = map(t.params().get(e.getKey()), e.getValue(), outOfRange);
                    if (v == null) {
                        mapped = null;
                        break;
                    }
                    mapped.put(e.getKey(), v);
                }
                if (mapped != null) {
                    params.add(mapped);
                    values.add(t.value());
                }
            }
        }
        return number(space, params, values);
    }

    /** {@code v} as a value of {@code range}, or null when it has none. */
    static Object map(Object v, Range range, OutOfRange outOfRange) {
        if (v == null) {
            return null;
        }
        if (range instanceof CategoricalRange c) {
            return c.contains(v) ? v : null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            return null;
        }
        double x = n.doubleValue();
        double low = range instanceof FloatRange f ? f.low() : ((IntRange) range).low();
        double high = range instanceof FloatRange f ? f.high() : ((IntRange) range).high();
        if (range instanceof IntRange) {
            x = Math.rint(x);
        }
        if (x < low || x > high) {
            if (outOfRange == OutOfRange.DROP) {
                return null;
            }
            x = Math.min(high, Math.max(low, x));
        }
        return range instanceof IntRange ? (Object) (int) x : (Object) x;
    }

    private static Map<String, Object> restrict(SearchSpace space, Map<String, Object> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        space.ranges().keySet().forEach(k -> out.put(k, params.get(k)));
        return out;
    }

    private static Priors number(SearchSpace space, List<Map<String, Object>> params, List<Double> values) {
        int k = params.size();
        List<FrozenTrial> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(new FrozenTrial(i - k, TrialState.COMPLETE, params.get(i), values.get(i), Collections.emptySortedMap(), null));
        }
        return new Priors(space, out);
    }
}
