package org.trainer.spark;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.spark.BarrierTaskContext;
import org.trainer.distributed.CollectiveException;
import org.trainer.distributed.Rendezvous;

/**
 * The ranks of one barrier stage tell each other their addresses through Spark's own
 * {@link BarrierTaskContext#allGather(String)}: no extra service, and the driver's coordinator fails
 * the exchange as soon as any task of the stage attempt fails.
 *
 * <p>Rank r is the task of partition r; the world is the stage's task count.
 */
public final class SparkRendezvous implements Rendezvous {
    private final BarrierTaskContext context;

    /**
     * The rendezvous of the barrier task that {@code context} belongs to.
     *
     * @param context the barrier task's context
     */
    public SparkRendezvous(BarrierTaskContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * Sends this task's address to every task of the stage attempt and returns all of them, element
     * r being rank r's. Blocks until every task has called it.
     *
     * @throws IllegalArgumentException if rank is not this task's partition or worldSize not the
     *         stage's task count
     * @throws CollectiveException if the exchange fails (a task of the stage failed) or not every
     *         task published within {@code timeout} (Spark's all-gather cannot say which)
     */
    @Override
    public List<String> exchange(int rank, int worldSize, String address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        int tasks = context.getTaskInfos().length;
        if (rank != context.partitionId()) {
            throw new IllegalArgumentException("SparkRendezvous.exchange: rank must be this task's partition "
                    + context.partitionId() + ", got " + rank);
        }
        if (worldSize != tasks) {
            throw new IllegalArgumentException("SparkRendezvous.exchange: worldSize must be the stage's task count "
                    + tasks + ", got " + worldSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("SparkRendezvous.exchange: timeout must be positive, got " + timeout);
        }
        // allGather waits up to spark.barrier.sync.timeout (a year by default); our own timeout
        // needs the call on a thread we can stop waiting for.
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "spark-rendezvous-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
        try {
            Future<String[]> gathered = caller.submit(() -> context.allGather(address));
            String[] addresses = gathered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return List.of(addresses);
        } catch (TimeoutException e) {
            throw new CollectiveException("SparkRendezvous: rank " + rank + " of " + worldSize
                    + " waited " + timeout + " for the other tasks' addresses; not every task of stage "
                    + context.stageId() + " attempt " + context.stageAttemptNumber() + " published", e);
        } catch (ExecutionException e) {
            throw new CollectiveException("SparkRendezvous: rank " + rank + " of " + worldSize
                    + ": Spark's allGather of the addresses failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("SparkRendezvous: rank " + rank + " interrupted while exchanging addresses", e);
        } finally {
            caller.shutdownNow();
        }
    }
}
