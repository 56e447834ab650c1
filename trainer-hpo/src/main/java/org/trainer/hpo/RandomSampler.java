package org.trainer.hpo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.SplitMix64;

/**
 * Independent uniform sampling in each range's scaling: u ~ U[0, 1) per dimension, then
 * {@link Range#fromUnit}; so a LOG range is uniform in ln x, an integer range gives every integer
 * an equal share (in its scaling) and a categorical gives every choice probability 1/k. The
 * proposal depends only on the seed (not on earlier trials), so warm start cannot help it.
 */
public final class RandomSampler implements Sampler {

    @Override
    public Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Range> e : space.ranges().entrySet()) {
            out.put(e.getKey(), draw(e.getValue(), rng));
        }
        return out;
    }

    /** One value of {@code range}, uniform in its scaling. */
    static Object draw(Range range, SplitMix64 rng) {
        if (range instanceof CategoricalRange c) {
            return c.choices().get(rng.nextInt(c.size()));
        }
        return range.fromUnit(unit(rng));
    }

    /** Uniform in [0, 1) from the top 53 bits. */
    static double unit(SplitMix64 rng) {
        return (rng.nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
        return "RandomSampler";
    }
}
