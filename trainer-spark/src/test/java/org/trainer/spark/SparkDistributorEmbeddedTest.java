package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.apache.spark.SparkContext$;
import org.junit.jupiter.api.Test;
import org.trainer.distributed.ReduceOp;

/**
 * With no context given and none active, the distributor runs in an embedded local[N] one, or in one
 * of the given master URL with the given settings, and stops it.
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
}
