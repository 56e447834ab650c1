package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.trainer.distributed.DistributedDataParallelTest.assertClose;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.SparkEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.distributed.DistributedContext;

/**
 * Data-parallel training on a real Spark standalone cluster: a Master and a Worker of 2 cores in
 * JVMs of their own, the Worker launching one executor JVM per rank (spark.executor.cores=1), the
 * trainer's classes shipped as spark.jars, with Spark's authentication on. The ranks must run in
 * two executor JVMs, neither of them this (the driver's), and end where one process with their
 * batches together ends, bitwise equal to each other, as on embedded local[2]
 * ({@link SparkTrainingTest}). The settings are those the README gives spark-submit.
 */
@Tag("cluster")
class SparkStandaloneClusterTest {
    /** The cluster's secret, which the Master, the Worker and the application share. */
    private static final String SECRET = "standalone-cluster-test-secret-0123456789abcdef";
    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        // As in a cluster's spark-defaults.conf; the Master's REST submission server cannot authenticate.
        cluster = StandaloneCluster.start(dir, 1, 2, "1g", "-Dspark.authenticate=true",
                "-Dspark.authenticate.secret=" + SECRET, "-Dspark.master.rest.enabled=false");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Where a rank ran: its executor's id and its JVM's process id, with the data-parallel run. */
    record Placed(SparkTrainingTest.Run run, ArrayList<String> executors) implements Serializable {
    }

    static Placed rankOnCluster(DistributedContext ctx) {
        SparkTrainingTest.Run run = SparkTrainingTest.rank(ctx, null, new SparkTrainingTest.Probe(ctx, -1, -1, -1));
        String here = SparkEnv.get().executorId() + " " + ProcessHandle.current().pid();
        ArrayList<String> executors = new ArrayList<>();
        for (byte[] b : ctx.collective().allGather(here.getBytes(StandardCharsets.UTF_8))) {
            executors.add(new String(b, StandardCharsets.UTF_8));
        }
        return new Placed(run, executors);
    }

    @Test
    void twoRanksInExecutorJvmsOfAStandaloneWorkerTrainAsOneProcess() {
        SparkDistributor distributor = SparkDistributor.builder().numProcesses(2).master(cluster.url())
                .timeout(Duration.ofSeconds(60)).maxAttempts(1)
                .config("spark.authenticate", "true")
                .config("spark.authenticate.secret", SECRET)
                .config("spark.executor.cores", "1")
                .config("spark.executor.memory", "512m")
                .config("spark.dynamicAllocation.enabled", "false")
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector")
                .config("spark.jars", cluster.applicationJars())
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .build();
        Placed placed;
        try {
            placed = distributor.run(SparkStandaloneClusterTest::rankOnCluster);
        } catch (RuntimeException e) {
            throw new AssertionError("the job failed on the cluster: " + e + cluster.logs(), e);
        }
        List<String> executors = placed.executors();
        assertEquals(2, executors.size());
        String driverPid = Long.toString(ProcessHandle.current().pid());
        for (String e : executors) {
            String[] idAndPid = e.split(" ");
            assertNotEquals("driver", idAndPid[0], "a rank ran in the driver: " + executors);
            assertNotEquals(driverPid, idAndPid[1], "a rank ran in this JVM: " + executors);
        }
        assertNotEquals(executors.get(0), executors.get(1), "both ranks ran in one executor: " + executors);
        SparkTrainingTest.Run run = placed.run();
        assertEquals(2, run.weights().size());
        SparkTrainingTest.assertBitwiseEqual(run.weights().get(0), run.weights().get(1), "rank 1 against rank 0:");
        assertClose(SparkTrainingTest.single(), run.weights().get(0), 1e-10);
    }
}
