package org.trainer.core.monitor;

/**
 * What the profiler advises, and why.
 *
 * @param observation the figure that crossed a threshold, e.g. "data wait is 62% of the step (threshold 30%)"
 * @param advice      what to change
 */
public record Recommendation(String observation, String advice) {
    @Override
    public String toString() {
        return observation + ": " + advice;
    }
}
