package org.trainer.core.job;

import java.util.List;
import java.util.Map;

/**
 * What a {@link ManagedSpotRunner} reports of a job, as SageMaker's managed spot training bills it:
 * the seconds the job's JVMs ran ({@link #trainingSeconds()}, every attempt, work lost to an
 * interruption included), the seconds billed ({@link #billableSeconds()}: training seconds at the spot
 * price, a fraction of the on-demand price), the interruptions and the (simulated) seconds spent
 * waiting for capacity.
 *
 * @param status          how the job ended
 * @param attempts        each start of the job's JVM, in order
 * @param interruptions   the interruptions delivered
 * @param trainingSeconds the seconds the job's JVMs ran, over all attempts
 * @param waitSeconds     the simulated seconds spent waiting for capacity before restarts
 * @param billableSeconds {@code trainingSeconds x spotPrice}
 * @param last            what the last attempt left in the job directory
 */
public record SpotRun(Status status, List<Attempt> attempts, int interruptions, double trainingSeconds,
                      double waitSeconds, double billableSeconds, JobResult last) {

    /** How a managed-spot job ended (SageMaker's status, or its secondary status for the stops). */
    public enum Status {
        COMPLETED,
        FAILED,
        /** The job stopped itself past max_run; model/ holds its last checkpoint's model. */
        MAX_RUNTIME_EXCEEDED,
        /** Training plus waiting for capacity would have passed max_wait: the runner gave up. */
        MAX_WAIT_TIME_EXCEEDED
    }

    /**
     * One start of the job's JVM.
     *
     * @param seconds             from the JVM's start to its exit
     * @param exitCode            the JVM's exit code (75: stopped on the notice; 137: killed)
     * @param delivered           the interruption delivered to it, or null
     * @param noticeToExitSeconds from the SIGTERM to the exit; NaN without a notice
     * @param status              the job's output/status.json after the exit (empty when absent)
     */
    public record Attempt(int number, double seconds, int exitCode, Interruption delivered, double noticeToExitSeconds,
                          Map<String, Object> status) {
        public Attempt {
            status = Map.copyOf(status.entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        }
    }

    public SpotRun {
        attempts = List.copyOf(attempts);
    }

    /** The fraction saved against the bill of the same training seconds on demand: {@code 1 - billable / training}. */
    public double savings() {
        return trainingSeconds == 0 ? 0 : 1 - billableSeconds / trainingSeconds;
    }

    /**
     * The fraction saved against an uninterrupted on-demand run that took {@code onDemandSeconds}:
     * {@code 1 - billable / onDemandSeconds} (negative when the interruptions cost more than the spot
     * price saves).
     */
    public double savingsAgainst(double onDemandSeconds) {
        if (!(onDemandSeconds > 0)) {
            throw new IllegalArgumentException("SpotRun.savingsAgainst: onDemandSeconds must be positive, got "
                    + onDemandSeconds);
        }
        return 1 - billableSeconds / onDemandSeconds;
    }

    /** SageMaker's closing lines: status, attempts, interruptions, training, waiting and billable seconds, savings. */
    public String summary() {
        return String.format("Status: %s%nAttempts: %d%nInterruptions: %d%nTraining seconds: %.1f%n"
                        + "Waiting seconds (simulated): %.1f%nBillable seconds: %.1f%nManaged Spot Training savings: %.1f%%%n",
                status, attempts.size(), interruptions, trainingSeconds, waitSeconds, billableSeconds, 100 * savings());
    }
}
