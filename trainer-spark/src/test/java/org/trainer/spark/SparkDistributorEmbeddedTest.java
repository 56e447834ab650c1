package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.apache.spark.SparkContext$;
import org.junit.jupiter.api.Test;
import org.trainer.distributed.ReduceOp;

/**
 * With no context given and none active, the distributor runs in an embedded local[N] one, in one
 * of the given master URL with the given settings, or in one of the settings spark-submit hands the
 * application, and stops it.
 */
class SparkDistributorEmbeddedTest {

    @Test
    void threeRanksInAnEmbeddedContextThatIsStoppedAfterwards() {
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "no context may be active before this test");
        SparkDistributor distributor = SparkDistributor.builder().numProcesses(3).timeout(Duration.ofSeconds(60))
                .build();
        double[] sums = distributor.run(ctx -> {
            double[] x = {ctx.rank(), 1, ctx.worldSize()};
            ctx.collective().allReduce(x, 0, x.length, ReduceOp.SUM);
            return x;
        });
        assertEquals(0 + 1 + 2, sums[0]);
        assertEquals(3, sums[1]);
        assertEquals(9, sums[2]);
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "the embedded context must be stopped");
    }

    @Test
    void aMasterUrlGetsAContextOfItsOwnForTheRun() {
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "no context may be active before this test");
        String seen = SparkDistributor.builder().numProcesses(2).master("local[2,2]").timeout(Duration.ofSeconds(60))
                .config("spark.trainer.example", "given").build().run(ctx -> {
                    org.apache.spark.SparkConf conf = org.apache.spark.SparkEnv.get().conf();
                    return conf.get("spark.master") + " " + conf.get("spark.trainer.example");
                });
        assertEquals("local[2,2] given", seen);
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "the run's context must be stopped");
    }

    /**
     * As under spark-submit, which hands the application its master and --conf settings as spark.*
     * system properties: the distributor's context is made from them (not an embedded local[N]),
     * keeping the application's settings and adding its retry settings only where none are set.
     */
    @Test
    void theSettingsSparkSubmitHandsTheApplicationMakeTheRunsContext() {
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "no context may be active before this test");
        String[] keys = {"spark.master", "spark.app.name", "spark.task.maxFailures", "spark.ui.enabled",
            "spark.driver.host", "spark.driver.bindAddress"};
        String[] values = {"local[2,2]", "submitted-application", "2", "false", "127.0.0.1", "127.0.0.1"};
        for (int i = 0; i < keys.length; i++) {
            System.setProperty(keys[i], values[i]);
        }
        try {
            String seen = SparkDistributor.builder().numProcesses(2).timeout(Duration.ofSeconds(60)).build().run(ctx -> {
                org.apache.spark.SparkConf conf = org.apache.spark.SparkEnv.get().conf();
                return conf.get("spark.master") + " " + conf.get("spark.app.name") + " "
                        + conf.get("spark.task.maxFailures") + " " + conf.get("spark.stage.maxConsecutiveAttempts");
            });
            assertEquals("local[2,2] submitted-application 2 3", seen);
        } finally {
            for (String key : keys) {
                System.clearProperty(key);
            }
        }
        assertFalse(SparkContext$.MODULE$.getActive().isDefined(), "the run's context must be stopped");
    }
}
