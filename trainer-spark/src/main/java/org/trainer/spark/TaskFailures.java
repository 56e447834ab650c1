package org.trainer.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.trainer.distributed.CollectiveException;

/**
 * Records the errors of the failed tasks of one run's jobs, so that a failed run can name every
 * rank's error: Spark's own exception names only the first failure it processed, often a rank that
 * merely lost its peer.
 *
 * <p>A run's jobs carry the local property {@link #RUN_PROPERTY} with the run's id; the listener
 * keeps the failures of their stages only.
 */
final class TaskFailures extends SparkListener {
    /** The Spark local property that marks the jobs of one run. */
    static final String RUN_PROPERTY = "trainer.spark.run";

    private final String runId;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final List<Failure> failures = new ArrayList<>();

    TaskFailures(String runId) {
        this.runId = runId;
    }

    /** One failed task: its stage attempt, rank, and error. */
    record Failure(int stageAttempt, int rank, String error, boolean lostPeer) {
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        Properties properties = jobStart.properties();
        if (properties != null && runId.equals(properties.getProperty(RUN_PROPERTY))) {
            scala.collection.Iterator<Object> ids = jobStart.stageIds().iterator();
            while (ids.hasNext()) {
                stages.add((Integer) ids.next());
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (!stages.contains(taskEnd.stageId()) || !(taskEnd.reason() instanceof ExceptionFailure failure)) {
            return;
        }
        boolean lostPeer = failure.exception().isDefined() && causedByCollective(failure.exception().get());
        synchronized (failures) {
            failures.add(new Failure(taskEnd.stageAttemptId(), taskEnd.taskInfo().partitionId(),
                    failure.description(), lostPeer));
        }
    }

    private static boolean causedByCollective(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CollectiveException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The errors of the last failed stage attempt, ranks that failed on their own first (those that
     * failed because a peer was lost after them), in rank order otherwise; empty when none was recorded.
     * When the last attempt holds only ranks that lost a peer (Spark may abort the job before the
     * failing rank's own event is recorded), the own failures of the latest attempt that has any
     * lead instead.
     */
    String lastAttemptErrors() {
        List<Failure> copy;
        synchronized (failures) {
            copy = List.copyOf(failures);
        }
        int last = copy.stream().mapToInt(Failure::stageAttempt).max().orElse(-1);
        int lastOwn = copy.stream().filter(f -> !f.lostPeer()).mapToInt(Failure::stageAttempt).max().orElse(-1);
        return copy.stream().filter(f -> f.stageAttempt() == last || (!f.lostPeer() && f.stageAttempt() == lastOwn))
                .sorted(Comparator.comparing(Failure::lostPeer).thenComparingInt(Failure::rank))
                .map(Failure::error).distinct().collect(Collectors.joining("; "));
    }
}
