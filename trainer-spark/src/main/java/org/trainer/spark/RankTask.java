package org.trainer.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.distributed.Collective;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedFunction;
import org.trainer.distributed.TcpCollective;

import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: becomes rank {@code partitionId} of the job, connects to the other
 * tasks with a {@link TcpCollective} found through {@link SparkRendezvous}, runs the user's function
 * and returns rank 0's result, Java-serialized, as the partition's only element (other ranks return
 * none). Shipped to the executors inside the stage's closure.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<byte[]>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RankTask.class);

    private final DistributedFunction<?> fn;
    private final int numProcesses;
    private final Duration timeout;
    private final JobSecret secret;
    private final String runId;

    RankTask(DistributedFunction<?> fn, int numProcesses, Duration timeout, JobSecret secret, String runId) {
        this.fn = fn;
        this.runId = runId;
        this.numProcesses = numProcesses;
        this.timeout = timeout;
        this.secret = secret;
    }

    @Override
    public Iterator<byte[]> apply(Iterator<Integer> partition) {
        BarrierTaskContext task = BarrierTaskContext.get();
        int rank = task.partitionId();
        int worldSize = task.getTaskInfos().length;
        int attempt = task.stageAttemptNumber();
        String where = "rank " + rank + " of " + worldSize + " (stage attempt " + attempt + ")";
        if (worldSize != numProcesses) {
            throw new IllegalStateException("SparkDistributor: " + where + ": the stage has " + worldSize
                    + " tasks, expected numProcesses " + numProcesses);
        }
        String host = executorHost();
        LOG.info("{} starting on {}", where, host);
        Object result;
        Collective collective = null;
        try {
            collective = TcpCollective.connect(rank, worldSize, new SparkRendezvous(task), options(host, attempt));
            result = fn.apply(new DistributedContext(collective, attempt));
        } catch (Exception e) {
            if (collective != null) {
                // The other ranks then fail with this rank's reason instead of a bare "closed".
                collective.abort("rank " + rank + " failed: " + e);
            }
            throw new IllegalStateException("SparkDistributor: " + where + " failed: " + e, e);
        } finally {
            if (collective != null) {
                collective.close();
            }
        }
        byte[] serialized = rank == 0 ? serialize(result, where) : null;
        // No rank may finish while another can still fail: Spark keeps a finished task's output
        // when it reruns a failed stage, and would rerun only the ranks that failed. Spark's own
        // barrier fails here as soon as any task of this attempt has failed.
        task.barrier();
        LOG.info("{} finished", where);
        if (rank != 0) {
            return scala.collection.Iterator$.MODULE$.empty();
        }
        return scala.collection.Iterator$.MODULE$.single(serialized);
    }

    /**
     * Binds and advertises this executor's host on a free port, with the job's key and timeout; the
     * job id names the run and the attempt, so that a rank left over from a failed attempt cannot
     * join the next one.
     */
    private TcpCollective.Options options(String host, int attempt) {
        return TcpCollective.Options.defaults().withBindAddress(host).withAdvertisedHost(host).withPort(0)
                .withSecret(secret.bytes()).withJobId("trainer-spark " + runId + " attempt " + attempt)
                .withTimeout(timeout);
    }

    /**
     * The address the other ranks reach this one at: loopback when the task runs inside the driver
     * (local mode), else the host the executor advertises to Spark.
     */
    private static String executorHost() {
        SparkEnv env = SparkEnv.get();
        if ("driver".equals(env.executorId())) {
            return "127.0.0.1";
        }
        return env.blockManager().blockManagerId().host();
    }

    private static byte[] serialize(Object result, String where) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(result);
        } catch (NotSerializableException e) {
            throw new IllegalStateException("SparkDistributor: " + where + ": the function's result of "
                    + result.getClass().getName() + " is not serializable (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalStateException("SparkDistributor: " + where + ": could not serialize the function's result: "
                    + e, e);
        }
        return bytes.toByteArray();
    }
}
