package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * A rule that counts consecutive sampled steps on which a condition held, per key (a layer's
 * name): it reports a condition once, when it has held {@code patience} times in a row, and again
 * only after it has cleared. The counts are saved for a checkpoint; a subclass with more state
 * adds its own entries to {@link #stateDict()} under names that do not start with "streak.".
 */
abstract class StreakRule implements Rule {
    private static final String PREFIX = "streak.";
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Records whether the condition holds now; true exactly when its streak reaches {@code patience}. */
    final boolean hit(String key, boolean condition, int patience) {
        if (!condition) {
            if (!counts.isEmpty()) { // the common case, a clear condition with no streak, touches no map
                counts.remove(key);
            }
            return false;
        }
        long c = counts.merge(key, 1L, Long::sum);
        return c == patience;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(PREFIX + k, StateEntries.scalar(v)));
        return out;
    }

    /** Restores the counts from entries named "streak.&lt;key&gt;"; other entries are left to a subclass. */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        String owner = name();
        Map<String, Long> loaded = new LinkedHashMap<>();
        for (String k : state.keySet()) {
            if (k.startsWith(PREFIX)) {
                loaded.put(k.substring(PREFIX.length()), StateEntries.readCount(owner, state, k));
            }
        }
        counts.clear();
        counts.putAll(loaded);
    }

    static void checkPatience(String owner, int patience) {
        if (patience < 1) {
            throw new IllegalArgumentException(owner + ": patience must be >= 1, got " + patience);
        }
    }
}
