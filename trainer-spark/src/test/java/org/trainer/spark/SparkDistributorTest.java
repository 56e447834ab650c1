package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trainer.distributed.Collective;
import org.trainer.distributed.ReduceOp;

/** Two ranks as barrier tasks of one local[2] context, shared by the tests (Spark starts slowly). */
class SparkDistributorTest {
    private static final String SPARK_SECRET = "the secret Spark authenticates its traffic with";
    private static SparkContext sc;

    @BeforeAll
    static void startSpark() {
        // Two task slots; a failed barrier task may be retried (F = 3), which lets Spark rerun the
        // stage. Spark authenticates, so the ranks' key derives from its secret. Spark's own check
        // of a barrier stage's slots gives up after one try here (40 tries 15 s apart by default).
        sc = new SparkContext(new SparkConf().setMaster("local[2,3]").setAppName("SparkDistributorTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.stage.maxConsecutiveAttempts", "3")
                .set("spark.authenticate", "true").set("spark.authenticate.secret", SPARK_SECRET)
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static SparkDistributor twoRanks() {
        return SparkDistributor.builder().numProcesses(2).sparkContext(sc).timeout(Duration.ofSeconds(60))
                .maxAttempts(3).build();
    }

    @Test
    void ranksAreDistinctAndShareTheWorldSize() {
        ArrayList<String> seen = twoRanks().run(ctx -> {
            byte[][] all = ctx.collective().allGather(
                    (ctx.rank() + "/" + ctx.worldSize()).getBytes(StandardCharsets.UTF_8));
            ArrayList<String> out = new ArrayList<>();
            for (byte[] b : all) {
                out.add(new String(b, StandardCharsets.UTF_8));
            }
            return out;
        });
        assertEquals(java.util.List.of("0/2", "1/2"), seen);
    }

    @Test
    void allReduceSumsAcrossTasksOnEveryRank() {
        double[][] perRank = twoRanks().run(ctx -> {
            Collective c = ctx.collective();
            double[] x = {ctx.rank() + 1, 10 * (ctx.rank() + 1), 0.5};
            c.allReduce(x, 0, x.length, ReduceOp.SUM);
            ByteBuffer mine = ByteBuffer.allocate(8 * x.length);
            for (double v : x) {
                mine.putDouble(v);
            }
            byte[][] all = c.allGather(mine.array());
            double[][] out = new double[all.length][x.length];
            for (int r = 0; r < all.length; r++) {
                ByteBuffer b = ByteBuffer.wrap(all[r]);
                for (int i = 0; i < x.length; i++) {
                    out[r][i] = b.getDouble();
                }
            }
            return out;
        });
        assertEquals(2, perRank.length);
        assertArrayEquals(new double[] {3, 30, 1}, perRank[0]);
        assertArrayEquals(new double[] {3, 30, 1}, perRank[1]);
    }

    @Test
    void returnsRankZerosResultAndRestoresTheJobDescription() {
        sc.setLocalProperty("spark.job.description", "the caller's jobs");
        String result = twoRanks().run(ctx -> {
            ctx.collective().barrier();
            return "result of rank " + ctx.rank() + " of " + ctx.worldSize();
        });
        assertEquals("result of rank 0 of 2", result);
        assertEquals("the caller's jobs", sc.getLocalProperty("spark.job.description"));
        sc.setLocalProperty("spark.job.description", null);
    }

    @Test
    void withoutAContextTheActiveOneRunsTheRanksAndStaysUp() {
        // A second context in this JVM would be refused by Spark: success means the active one ran it.
        int world = SparkDistributor.builder().numProcesses(2).timeout(Duration.ofSeconds(60)).build()
                .run(ctx -> ctx.worldSize());
        assertEquals(2, world);
        assertFalse(sc.isStopped());
    }

    @Test
    void aFailedAttemptIsRetriedAndTheFunctionSeesTheNextAttempt() {
        Integer attempt = twoRanks().run(ctx -> {
            if (ctx.rank() == 1 && ctx.attempt() == 0) {
                throw new IllegalStateException("rank 1 fails its first attempt");
            }
            ctx.collective().barrier();
            return ctx.attempt();
        });
        assertEquals(1, attempt);
    }

    @Test
    void aFunctionThatAlwaysThrowsFailsRunWithTheTasksError() {
        SparkDistributorException e = assertThrows(SparkDistributorException.class, () -> twoRanks().run(ctx -> {
            if (ctx.rank() == 1) {
                throw new IllegalArgumentException("weights diverged at step 7");
            }
            ctx.collective().barrier();
            return 0;
        }));
        assertTrue(e.getMessage().contains("weights diverged at step 7"), e.getMessage());
        assertTrue(e.getMessage().contains("rank 1 of 2"), e.getMessage());
    }

    @Test
    void refusesMoreProcessesThanTaskSlots() {
        SparkDistributor three = SparkDistributor.builder().numProcesses(3).sparkContext(sc).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> three.run(ctx -> 0));
        assertEquals("SparkDistributor: numProcesses 3 exceeds the 2 task slots of master local[2,3]"
                + " (a barrier stage needs all its tasks running at once)", e.getMessage());
    }

    @Test
    void sparkItselfRefusesAnOversizedBarrierStageOnlyAfterItsRetries() {
        // What the distributor's own check saves a user from: Spark's check resubmits the job
        // (here once, by default 40 times 15 s apart) before it fails.
        Exception e = assertThrows(Exception.class, () -> org.apache.spark.api.java.JavaSparkContext.fromSparkContext(sc)
                .parallelize(java.util.List.of(1, 2, 3), 3).rdd().barrier()
                .mapPartitions(new IdentityPartition(), false, scala.reflect.ClassTag$.MODULE$.apply(Integer.class))
                .count());
        assertTrue(e.getMessage().contains("SPARK-24819") && e.getMessage().contains("more slots"), e.getMessage());
    }

    /** A barrier stage's body that passes its partition through. */
    static final class IdentityPartition
            extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Integer>>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<Integer> apply(scala.collection.Iterator<Integer> partition) {
            return partition;
        }
    }

    @Test
    void theRanksKeyDerivesFromSparksSecretAndDiffersPerJob() throws Exception {
        JobSecret first = JobSecret.forJob(sc.getConf());
        JobSecret second = JobSecret.forJob(sc.getConf());
        assertTrue(first.fromSparkSecret());
        byte[] key = first.bytes();
        assertEquals(32, key.length);
        assertArrayEquals(key, first.bytes(), "the same job's key on every rank");
        assertFalse(java.util.Arrays.equals(key, second.bytes()), "another job's key");
        assertFalse(JobSecret.forJob(new SparkConf()).fromSparkSecret());
    }

    @Test
    void aResultThatIsNotSerializableIsNamed() {
        SparkDistributorException e = assertThrows(SparkDistributorException.class,
                () -> twoRanks().run(ctx -> new NotSerializableResult()));
        assertTrue(e.getMessage().contains("NotSerializableResult is not serializable"), e.getMessage());
    }

    /** Serializable by its type, but holding a field that is not. */
    static final class NotSerializableResult extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object lock = new Object();
    }
}
