package org.trainer.core.monitor;

/**
 * One phase's time over the profiled steps, in nanoseconds.
 *
 * @param totalNanos the sum over steps
 * @param meanNanos  total / steps
 * @param p50Nanos   the median step's time in this phase (nearest rank)
 * @param p95Nanos   the 95th percentile (nearest rank)
 * @param maxNanos   the longest
 * @param fraction   total / the total of all phases (the share of the step time), in [0, 1]
 */
public record PhaseStats(long totalNanos, double meanNanos, long p50Nanos, long p95Nanos, long maxNanos,
                         double fraction) {
}
