package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/** The address exchange among the tasks of a barrier stage, called from inside its tasks. */
class SparkRendezvousTest {
    private static SparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new SparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkRendezvousTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    /** Each task exchanges "host:port" addresses of its own, or calls with a rank or size it is not. */
    static final class Exchange extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int rankOffset;
        private final int worldOffset;

        Exchange(int rankOffset, int worldOffset) {
            this.rankOffset = rankOffset;
            this.worldOffset = worldOffset;
        }

        @Override
        public Iterator<String> apply(Iterator<Integer> partition) {
            BarrierTaskContext task = BarrierTaskContext.get();
            int rank = task.partitionId();
            try {
                List<String> all = new SparkRendezvous(task).exchange(rank + rankOffset, 2 + worldOffset,
                        "10.0.0." + rank + ":" + (5000 + rank), Duration.ofSeconds(30));
                return CollectionConverters.asScala(List.of(rank + " saw " + all).iterator());
            } catch (IllegalArgumentException e) {
                return CollectionConverters.asScala(List.of(rank + " refused: " + e.getMessage()).iterator());
            }
        }
    }

    private static List<String> run(Exchange exchange) {
        return JavaSparkContext.fromSparkContext(sc).parallelize(List.of(0, 1), 2).rdd().barrier()
                .mapPartitions(exchange, false, ClassTag$.MODULE$.apply(String.class)).toJavaRDD().collect();
    }

    @Test
    void everyTaskGetsEveryAddressInRankOrder() {
        assertEquals(List.of("0 saw [10.0.0.0:5000, 10.0.0.1:5001]", "1 saw [10.0.0.0:5000, 10.0.0.1:5001]"),
                run(new Exchange(0, 0)));
    }

    @Test
    void refusesARankOrWorldSizeThatIsNotTheTasks() {
        assertEquals(List.of("0 refused: SparkRendezvous.exchange: rank must be this task's partition 0, got 1",
                "1 refused: SparkRendezvous.exchange: rank must be this task's partition 1, got 2"),
                run(new Exchange(1, 0)));
        assertEquals(List.of("0 refused: SparkRendezvous.exchange: worldSize must be the stage's task count 2, got 3",
                "1 refused: SparkRendezvous.exchange: worldSize must be the stage's task count 2, got 3"),
                run(new Exchange(0, 1)));
    }
}
