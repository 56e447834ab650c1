package org.trainer.core.monitor;

import java.util.List;
import java.util.Objects;

/**
 * One symptom seen in a run, with the figures that show it, its likely causes (most likely first)
 * and what to try.
 *
 * @param symptom  what was seen
 * @param evidence the figures behind it, in a sentence
 * @param causes   likely causes, most likely first
 * @param fixes    what to try, in the order of the causes
 * @param expected true when the symptom is normal for the setup (nothing to fix)
 */
public record Problem(Symptom symptom, String evidence, List<String> causes, List<String> fixes, boolean expected) {
    /**
     * Checks the symptom and evidence are given and copies the lists.
     *
     * @param symptom what was seen
     * @param evidence the figures behind it, in a sentence
     * @param causes likely causes, most likely first
     * @param fixes what to try, in the order of the causes
     * @param expected true when the symptom is normal for the setup (nothing to fix)
     */
    public Problem {
        Objects.requireNonNull(symptom, "symptom");
        Objects.requireNonNull(evidence, "evidence");
        causes = List.copyOf(causes);
        fixes = List.copyOf(fixes);
    }

    @Override
    public String toString() {
        return symptom.label() + ": " + evidence + "\n  likely causes: " + String.join("; ", causes)
                + "\n  fixes: " + String.join("; ", fixes);
    }
}
