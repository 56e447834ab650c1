package org.trainer.spark;

/**
 * A trial's work in a child JVM for {@link SparkTrialExecutorTest}: ends at once with the exit code
 * given as its argument, through {@link Runtime#halt} (as a JVM killed by the system would, without
 * shutdown hooks).
 */
public final class HaltingChild {
    private HaltingChild() {
    }

    public static void main(String[] args) {
        Runtime.getRuntime().halt(Integer.parseInt(args[0]));
    }
}
