package org.trainer.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Strategy;
import org.trainer.hpo.TuningJob;
import org.trainer.hpo.TuningResult;
import org.trainer.optim.SGD;
import org.trainer.spark.RemotePruningCallback;
import org.trainer.spark.RemoteTrial;
import org.trainer.spark.SparkTrialExecutor;

/**
 * Tunes the learning rate (log scale) and the hidden units of a Fashion-MNIST MLP with HYPERBAND,
 * each trial a Spark task, two at a time, as Hyperopt's SparkTrials does. The trials train on
 * the stratified subset of {@link FashionMnistTuning} (8,000 training and 2,000 validation images),
 * report their validation accuracy after each epoch to the coordinator, and stop when its Hyperband
 * pruner says so. The driver prints every trial and the best one.
 *
 * <p>Run from the IDE or Maven, it starts an embedded {@code local[2]} Spark in this JVM; under
 * spark-submit it uses the application's context (see trainer-spark's README). Arguments: the
 * data directory (as {@link FashionMnist#locate(String[])} finds it) and the number of trials (12
 * by default).
 */
public final class FashionMnistSparkTuning {
    private static final String METRIC = "val_accuracy";
    private static final int MAX_EPOCHS = 9;
    private static final int TASKS = 2;

    private FashionMnistSparkTuning() {
    }

    public static void main(String[] args) {
        // Resolved here and handed to every task: each executor JVM loads the data itself.
        String dataDir = FashionMnist.locate(args).toString();
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        SearchSpace space = SearchSpace.builder()
                .add("lr", FloatRange.log(1e-3, 0.3))
                .add("hidden", IntRange.log(16, 256))
                .build();
        TuningJob job = TuningJob.builder().name("fashion-mnist-spark").objective(METRIC, Direction.MAXIMIZE)
                .ranges(space).strategy(Strategy.HYPERBAND).resource(1, MAX_EPOCHS).eta(3)
                .maxJobs(trials).maxParallelJobs(TASKS).seed(3).build();
        long start = System.nanoTime();
        TuningResult result = job.runWith(slots -> SparkTrialExecutor.builder(t -> train(t, dataDir))
                .parallelism(slots).build());
        double seconds = (System.nanoTime() - start) / 1e9;

        System.out.printf(Locale.ROOT, "%5s %-8s %9s %6s %6s %8s%n", "trial", "state", "lr", "hidden", "epochs", METRIC);
        for (FrozenTrial t : result.trials()) {
            System.out.printf(Locale.ROOT, "%5d %-8s %9.5f %6d %6d %8s%n", t.number(), t.state(), (Double) t.params().get("lr"),
                    (Integer) t.params().get("hidden"), t.intermediate().size(),
                    t.intermediate().isEmpty() ? "-" : String.format(Locale.ROOT, "%.4f",
                            t.intermediate().get(t.intermediate().lastKey())));
        }
        FrozenTrial best = result.bestTrial().orElseThrow(
                () -> new IllegalStateException("FashionMnistSparkTuning: no trial completed"));
        int epochs = result.trials().stream().mapToInt(t -> t.intermediate().size()).sum();
        System.out.printf(Locale.ROOT, "FashionMnistSparkTuning: best trial %d, %s = %.4f with %s;%n"
                        + "%d trials (%d epochs in all) on %d Spark tasks at a time in %.1f s%n",
                best.number(), METRIC, best.value(), best.params(), result.trials().size(), epochs, TASKS, seconds);
    }

    /** One trial, inside its Spark task: trains up to {@link #MAX_EPOCHS} epochs, reporting each. */
    static double train(RemoteTrial trial, String dataDir) {
        TensorDataset[] parts = Data.of(dataDir);
        long seed = trial.seed();
        int hidden = (Integer) trial.params().get("hidden");
        double lr = (Double) trial.params().get("lr");
        int inputs = 28 * 28;
        Sequential model = new Sequential(new Flatten(),
                new Linear(inputs, hidden, true, null, Seeds.mix(seed + 1)), new Activation.ReLU(),
                new Linear(hidden, 10, true, null, Seeds.mix(seed + 3)));
        DataLoader train = DataLoader.builder(parts[0]).batchSize(64).shuffle(true).seed(seed).build();
        DataLoader validation = DataLoader.builder(parts[1]).batchSize(1000).build();
        History h = new Trainer().metrics(Accuracy::new).callbacks(new RemotePruningCallback(trial, METRIC))
                .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), lr, 0.9, 0), train, validation, MAX_EPOCHS);
        return h.last(METRIC);
    }

    /** The (train, validation) subsets, loaded once per executor JVM and shared by its tasks. */
    private static final class Data {
        private static final Map<String, TensorDataset[]> BY_DIR = new HashMap<>();

        static synchronized TensorDataset[] of(String dataDir) {
            return BY_DIR.computeIfAbsent(dataDir, d -> {
                try {
                    FashionMnist data = FashionMnist.load(Path.of(d));
                    return FashionMnistTuning.subsets(FashionMnist.NORMALIZE.apply(data.train()),
                            FashionMnistTuning.TRAIN_IMAGES, FashionMnistTuning.VALIDATION_IMAGES, 1);
                } catch (IOException e) {
                    throw new UncheckedIOException("FashionMnistSparkTuning: could not read " + d + ": " + e.getMessage(), e);
                }
            });
        }
    }
}
