package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.distributed.DistributedDataParallelTest.assertClose;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * ({@link SparkTrainingTest}). The settings are those the README gives spark-submit: once through
 * {@link SparkDistributor.Builder#config} from this JVM, once through spark-submit itself, with the
 * README's command, in a driver JVM of its own. The Worker offers 4 GiB, the two 2 GiB executors
 * of that command (a heap limit, not memory the JVMs take).
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
        cluster = StandaloneCluster.start(dir, 1, 2, "4g", "-Dspark.authenticate=true",
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
        // The timeout also bounds the wait for the executors' slots: on a loaded machine the Worker took
        // more than 60 s to start the two executor JVMs.
        SparkDistributor distributor = SparkDistributor.builder().numProcesses(2).master(cluster.url())
                .timeout(Duration.ofSeconds(180)).maxAttempts(1)
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
        assertRanInTwoExecutorsAsOneProcess(placed, ProcessHandle.current().pid());
    }

    /**
     * The README's spark-submit command for FashionMnistSpark, option for option (the driver's
     * host on loopback), with the test's application: its jar packed from the test classes, the
     * trainer's module jars on --jars. spark-submit's script is what spark-launcher's Main and
     * SparkSubmit do ({@link StandaloneCluster#submit}); the driver runs in a JVM of its own and
     * must end with exit code 0, its ranks in two executors of the Worker, neither of them the driver.
     */
    @Test
    void theReadmesSparkSubmitCommandRunsTheRanksInTheClustersExecutors() throws Exception {
        Path result = dir.resolve("submitted-result.bin");
        Path log = dir.resolve("spark-submit.log");
        String jars = String.join(",", cluster.moduleJar("trainer-core").toString(),
                cluster.moduleJar("trainer-optim").toString(), cluster.moduleJar("trainer-distributed").toString(),
                cluster.moduleJar("trainer-spark").toString(), StandaloneCluster.classPathJar("commons-csv-").toString());
        Path application = cluster.applicationJar("application.jar", "trainer-spark:tests", "trainer-distributed:tests");
        List<String> command = List.of(
                "--master", cluster.url(),
                "--deploy-mode", "client",
                "--conf", "spark.authenticate=true",
                "--conf", "spark.authenticate.secret=" + SECRET,
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.executor.memory=2g",
                "--conf", "spark.dynamicAllocation.enabled=false",
                "--conf", "spark.driver.host=127.0.0.1",
                "--driver-java-options", "--add-modules=jdk.incubator.vector",
                "--conf", "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector",
                "--jars", jars,
                "--class", SubmittedTraining.class.getName(),
                application.toString(), result.toString());
        Process driver = cluster.submit(log, command);
        try {
            assertTrue(driver.waitFor(300, TimeUnit.SECONDS), "spark-submit did not end in 300 s" + output(log));
            assertEquals(0, driver.exitValue(), "spark-submit's exit code" + output(log));
        } finally {
            driver.destroyForcibly();
        }
        assertTrue(Files.readString(log).contains("SubmittedTraining: 2 ranks ran in executors"), output(log));
        Placed placed;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(result))) {
            placed = (Placed) in.readObject();
        }
        assertRanInTwoExecutorsAsOneProcess(placed, driver.pid());
    }

    private static String output(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return "\n--- spark-submit (last 60 lines)\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60),
                lines.size())) + cluster.logs();
    }

    /** The ranks ran in two executor JVMs, neither of them the driver's, and trained as one process. */
    private static void assertRanInTwoExecutorsAsOneProcess(Placed placed, long driver) {
        List<String> executors = placed.executors();
        assertEquals(2, executors.size());
        String driverPid = Long.toString(driver);
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
