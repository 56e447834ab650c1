package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounds and choices a spec declares: values outside them fail the job before it trains. */
class HyperparameterBoundsTest {

    enum Activation { RELU, TANH }

    static HyperparameterSpec spec() {
        return new HyperparameterSpec()
                .integer("batch_size", 32).atLeast("batch_size", 1)
                .integer("epochs", 10).atMost("epochs", 1000L)
                .integer("layers").between("layers", 1, 8)
                .number("learning_rate", 0.05).between("learning_rate", 0, 10)
                .number("dropout", 0.1).atLeast("dropout", 0).atMost("dropout", 0.9)
                .choice("optimizer", "sgd", "sgd", "adam")
                .enumeration("activation", Activation.class, Activation.RELU);
    }

    private static String failure(Map<String, ?> raw) {
        Map<String, Object> all = new java.util.LinkedHashMap<>(Map.of("layers", 2L));
        all.putAll(raw);
        return assertThrows(JobConfigurationException.class, () -> spec().parse(all)).getMessage();
    }

    @Test
    void integerBoundsAreInclusiveAndNamedWhenViolated() {
        assertEquals(1L, spec().parse(Map.of("layers", 1L, "batch_size", 1L)).getLong("batch_size"));
        assertEquals(8, spec().parse(Map.of("layers", 8L, "epochs", 1000L)).getInt("layers"));
        assertEquals("batch_size = -32, expected >= 1", failure(Map.of("batch_size", -32L)));
        assertEquals("batch_size = 0, expected >= 1", failure(Map.of("batch_size", "0")));
        assertEquals("epochs = 1001, expected <= 1000", failure(Map.of("epochs", 1001L)));
        assertEquals("layers = 9, expected >= 1 and <= 8", failure(Map.of("layers", 9L)));
        assertEquals("layers = 0, expected >= 1 and <= 8", failure(Map.of("layers", 0.0)));
    }

    @Test
    void numberBoundsAreInclusiveAndNamedWhenViolated() {
        assertEquals(0.9, spec().parse(Map.of("layers", 2L, "dropout", "0.9")).getDouble("dropout"));
        assertEquals(0.0, spec().parse(Map.of("layers", 2L, "learning_rate", 0L)).getDouble("learning_rate"));
        assertEquals("dropout = 0.95, expected >= 0 and <= 0.9", failure(Map.of("dropout", 0.95)));
        assertEquals("learning_rate = -0.001, expected >= 0 and <= 10", failure(Map.of("learning_rate", "-1e-3")));
        assertEquals("learning_rate = 11, expected >= 0 and <= 10", failure(Map.of("learning_rate", 11L)));
    }

    @Test
    void choicesAndEnumsAcceptOnlyTheirValues() {
        Hyperparameters hp = spec().parse(Map.of("layers", 2L, "activation", "TANH", "optimizer", "adam"));
        assertEquals(Activation.TANH, hp.getEnum("activation", Activation.class));
        assertEquals("adam", hp.getString("optimizer"));
        assertEquals(Activation.RELU, spec().parse(Map.of("layers", 2L)).getEnum("activation", Activation.class));
        assertEquals("hyperparameter 'activation' must be one of [RELU, TANH], got \"gelu\"",
                failure(Map.of("activation", "gelu")));
        assertEquals("hyperparameter 'optimizer' must be one of [sgd, adam], got \"rmsprop\"",
                failure(Map.of("optimizer", "rmsprop")));
    }

    @Test
    void aRequiredBoundedValueSaysItsRangeWhenAbsent() {
        assertEquals("hyperparameter 'layers' is required (an integer >= 1 and <= 8) but absent",
                assertThrows(JobConfigurationException.class, () -> spec().parse(Map.of())).getMessage());
    }

    @Test
    void badDeclarationsAreRefused() {
        assertEquals("Hyperparameter 'n': default 0 is not >= 1", assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSpec().integer("n", 0).atLeast("n", 1)).getMessage());
        assertEquals("Hyperparameter 'n': bound 0.5 is not an integer", assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSpec().integer("n", 1).atLeast("n", 0.5)).getMessage());
        assertEquals("Hyperparameter 'x': min 2 > max 1", assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSpec().number("x").between("x", 2, 1)).getMessage());
        assertEquals("Hyperparameter 'x': bound NaN is not a number", assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSpec().number("x").atMost("x", Double.NaN)).getMessage());
        assertEquals("Hyperparameter 's': bounds apply to an integer or a number, and this is string",
                assertThrows(IllegalArgumentException.class,
                        () -> new HyperparameterSpec().string("s", "a").atLeast("s", 1)).getMessage());
        assertEquals("HyperparameterSpec: 'y' is not declared; declare it before its bounds; declared: [x]",
                assertThrows(IllegalArgumentException.class,
                        () -> new HyperparameterSpec().number("x").atLeast("y", 1)).getMessage());
    }

    /** Records whether training started. */
    public static final class BoundedJob implements JobDefinition {
        static final AtomicBoolean TRAINED = new AtomicBoolean();

        @Override
        public HyperparameterSpec hyperparameters() {
            return spec();
        }

        @Override
        public void train(JobContext context) {
            TRAINED.set(true);
        }
    }

    @Test
    void aJobWithAValueOutOfBoundsFailsBeforeTrainingWithTheKeyAndTheFileNamed(@TempDir Path root) throws IOException {
        JobDirectory dir = JobDirectory.of(root).writeHyperparameters(Map.of("layers", 2L, "batch_size", -32));
        BoundedJob.TRAINED.set(false);
        JobResult r = new TrainingJob(root).run(new BoundedJob());
        assertEquals(TrainingJob.FAILED, r.exitCode());
        assertEquals("hyperparameters.json: batch_size = -32, expected >= 1\n",
                Files.readString(dir.failureFile(), StandardCharsets.UTF_8));
        assertFalse(BoundedJob.TRAINED.get(), "train was called");
    }
}
