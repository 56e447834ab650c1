package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The builder's validation; no Spark context is started. */
class SparkDistributorBuilderTest {

    @Test
    void refusesInvalidSettingsNamingThem() {
        assertEquals("SparkDistributor.numProcesses: must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> SparkDistributor.builder().numProcesses(0))
                        .getMessage());
        assertEquals("SparkDistributor.maxAttempts: must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> SparkDistributor.builder().maxAttempts(0))
                        .getMessage());
        assertEquals("SparkDistributor.timeout: must be positive, got PT-1S",
                assertThrows(IllegalArgumentException.class,
                        () -> SparkDistributor.builder().timeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("SparkDistributor.master: must be a Spark master URL, got \" \"",
                assertThrows(IllegalArgumentException.class, () -> SparkDistributor.builder().master(" "))
                        .getMessage());
    }

    @Test
    void refusesASparkSettingThatIsNotOneNamingIt() {
        assertEquals("SparkDistributor.config: key must be a Spark setting (\"spark.<name>\"), got \"executor.memory\"",
                assertThrows(IllegalArgumentException.class,
                        () -> SparkDistributor.builder().config("executor.memory", "1g")).getMessage());
        assertEquals("SparkDistributor.config: key must be a Spark setting (\"spark.<name>\"), got null",
                assertThrows(IllegalArgumentException.class, () -> SparkDistributor.builder().config(null, "1g"))
                        .getMessage());
        assertEquals("SparkDistributor.config: value of spark.executor.memory must not be null",
                assertThrows(IllegalArgumentException.class,
                        () -> SparkDistributor.builder().config("spark.executor.memory", null)).getMessage());
    }

    @Test
    void keepsTheSettings() {
        SparkDistributor d = SparkDistributor.builder().numProcesses(4).timeout(Duration.ofSeconds(9)).maxAttempts(2)
                .build();
        assertEquals(4, d.numProcesses());
        assertEquals(Duration.ofSeconds(9), d.timeout());
        assertEquals(2, d.maxAttempts());
    }
}
