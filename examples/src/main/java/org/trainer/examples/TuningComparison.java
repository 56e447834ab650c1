package org.trainer.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;
import org.trainer.core.train.Trainer;
import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.GridSampler;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.PruningCallback;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Strategy;
import org.trainer.hpo.Trial;
import org.trainer.hpo.TuningJob;
import org.trainer.hpo.TuningResult;
import org.trainer.optim.Adam;
import org.trainer.optim.AdamW;
import org.trainer.optim.RMSprop;
import org.trainer.optim.SGD;

/**
 * The four {@link Strategy strategies} of a {@link TuningJob} tuning the same one-hidden-layer MLP
 * classifier at the same budget of training epochs.
 *
 * <p>The space ({@link #space()}): learning rate (log-uniform), batch size and hidden units
 * (integers, log scale), dropout, weight decay (log) and the optimizer (SGD with momentum 0.9,
 * Adam, AdamW, RMSprop). GRID at two points per range has 2^5 x 4 = 128 combinations, each trained
 * {@code epochsPerTrial} epochs; that product is the epoch budget. RANDOM and BAYESIAN run as many
 * trials of as many epochs. HYPERBAND (epochs 1 to {@code hyperbandMaxEpochs}, eta 3) runs random
 * configurations under its pruner, in rounds that resume the study from its journal, until the
 * epochs its trials really trained reach the budget (it may overshoot by less than one trial's
 * maximum).
 *
 * <p>Every trial seeds its weights, dropout and shuffling from its own seed and reports its
 * validation accuracy after each epoch. The model of each strategy's best trial is kept and
 * scored once on the test set.
 */
final class TuningComparison {
    static final String METRIC = "val_accuracy";
    static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw", "rmsprop");
    private static final int GRID_POINTS = 2;

    /**
     * What the comparison may spend.
     *
     * @param epochsPerTrial     epochs per GRID, RANDOM and BAYESIAN trial
     * @param hyperbandMaxEpochs the most epochs a HYPERBAND trial trains (it starts at 1)
     * @param parallel           trials at once (maxParallelJobs)
     * @param seed               the seed of every job
     */
    record Budget(int epochsPerTrial, int hyperbandMaxEpochs, int parallel, long seed) {
        Budget {
            if (epochsPerTrial < 1) {
                throw new IllegalArgumentException("Budget: epochsPerTrial must be >= 1, got " + epochsPerTrial);
            }
            if (hyperbandMaxEpochs < 2) {
                throw new IllegalArgumentException("Budget: hyperbandMaxEpochs must be >= 2, got " + hyperbandMaxEpochs);
            }
            if (parallel < 1) {
                throw new IllegalArgumentException("Budget: parallel must be >= 1, got " + parallel);
            }
        }
    }

    /**
     * One strategy's outcome.
     *
     * @param bestValidation the best trial's validation accuracy
     * @param testOfBest     the best trial's model scored on the test set
     * @param trials         trials run
     * @param epochs         epochs trained, summed over the trials (pruned ones count what they ran)
     * @param seconds        wall time of the search (the test scoring excluded)
     */
    record Row(Strategy strategy, double bestValidation, double testOfBest, int trials, int epochs, double seconds,
               FrozenTrial best, TuningResult result) {
    }

    private final TensorDataset train;
    private final TensorDataset validation;
    private final TensorDataset test;
    private final int inputs;

    /** Images (or feature rows) with integer labels 0..9; inputs are flattened. */
    TuningComparison(TensorDataset train, TensorDataset validation, TensorDataset test) {
        this.train = Objects.requireNonNull(train, "train");
        this.validation = Objects.requireNonNull(validation, "validation");
        this.test = Objects.requireNonNull(test, "test");
        int n = 1;
        int[] shape = train.features().shape();
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        this.inputs = n;
    }

    /** The hyperparameter ranges every strategy searches. */
    static SearchSpace space() {
        return SearchSpace.builder()
                .add("lr", FloatRange.log(1e-4, 0.1))
                .add("batch_size", IntRange.log(32, 256))
                .add("hidden", IntRange.log(32, 256))
                .add("dropout", FloatRange.linear(0, 0.5))
                .add("weight_decay", FloatRange.log(1e-6, 1e-2))
                .add("optimizer", new CategoricalRange(new ArrayList<>(OPTIMIZERS)))
                .build();
    }

    /** The epoch budget of each strategy: the grid's size times {@code epochsPerTrial}. */
    static int epochBudget(Budget budget) {
        return (int) new GridSampler(GRID_POINTS).size(space()) * budget.epochsPerTrial();
    }

    /** Runs the four strategies one after another; {@code workDir} receives HYPERBAND's journal. */
    List<Row> compareAll(Budget budget, Path workDir) {
        List<Row> rows = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            rows.add(run(s, budget, workDir));
        }
        return rows;
    }

    /** Runs one strategy at the budget and scores its best model on the test set. */
    Row run(Strategy strategy, Budget budget, Path workDir) {
        int budgetEpochs = epochBudget(budget);
        BestModel best = new BestModel();
        long start = System.nanoTime();
        TuningResult result;
        if (strategy == Strategy.HYPERBAND) {
            // Each round asks for enough new trials to spend the rest even if all ran to the maximum,
            // so a round can overshoot by less than one trial's maximum; pruning makes it spend less.
            Path journal = workDir.resolve("hyperband.jsonl");
            if (Files.exists(journal)) {
                throw new IllegalArgumentException("TuningComparison: workDir must not hold an earlier journal, found " + journal);
            }
            int trials = 0;
            int spent = 0;
            do {
                trials += (int) Math.ceil((budgetEpochs - spent) / (double) budget.hyperbandMaxEpochs());
                result = job(strategy, budget, trials).journal(workDir).build().run(t -> train(t, budget.hyperbandMaxEpochs(), best));
                spent = epochs(result);
            } while (spent < budgetEpochs);
        } else {
            int trials = budgetEpochs / budget.epochsPerTrial();
            result = job(strategy, budget, trials).build().run(t -> train(t, budget.epochsPerTrial(), best));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        FrozenTrial bestTrial = result.bestTrial().orElseThrow(
                () -> new IllegalStateException("TuningComparison: no trial of " + strategy + " completed"));
        Module model = best.modelOf(bestTrial);
        Map<String, Double> scores = new Trainer().metrics(Accuracy::new)
                .evaluate(model, new CrossEntropyLoss(), DataLoader.builder(test).batchSize(1000).build());
        return new Row(strategy, bestTrial.value(), scores.get("accuracy"), result.trials().size(), epochs(result), seconds,
                bestTrial, result);
    }

    private static TuningJob.Builder job(Strategy strategy, Budget budget, int maxJobs) {
        return TuningJob.builder().name(strategy.name().toLowerCase(Locale.ROOT)).objective(METRIC, Direction.MAXIMIZE)
                .ranges(space()).strategy(strategy).gridPoints(GRID_POINTS).resource(1, budget.hyperbandMaxEpochs()).eta(3)
                .maxJobs(maxJobs).maxParallelJobs(budget.parallel()).seed(budget.seed());
    }

    /** Epochs trained by a job's trials: each reports once per epoch. */
    static int epochs(TuningResult result) {
        return result.trials().stream().mapToInt(t -> t.intermediate().size()).sum();
    }

    private Map<String, Double> train(Trial trial, int epochs, BestModel best) {
        Map<String, Object> p = trial.params();
        long seed = trial.seed();
        int hidden = (Integer) p.get("hidden");
        Sequential model = new Sequential(new Flatten(),
                new Linear(inputs, hidden, true, null, Seeds.mix(seed + 1)), new Activation.ReLU(),
                new Dropout((Double) p.get("dropout"), Seeds.mix(seed + 2)),
                new Linear(hidden, 10, true, null, Seeds.mix(seed + 3)));
        DataLoader trainLoader = DataLoader.builder(train).batchSize((Integer) p.get("batch_size")).shuffle(true).seed(seed).build();
        DataLoader validationLoader = DataLoader.builder(validation).batchSize(1000).build();
        Optimizer optimizer = optimizer((String) p.get("optimizer"), model.parameters(), (Double) p.get("lr"),
                (Double) p.get("weight_decay"));
        History h = new Trainer().metrics(Accuracy::new).callbacks(new PruningCallback(trial, METRIC))
                .fit(model, new CrossEntropyLoss(), optimizer, trainLoader, validationLoader, epochs);
        double accuracy = h.last(METRIC);
        if (h.epochCount() == epochs) { // a pruned trial stopped earlier and cannot be the best
            best.offer(trial.number(), accuracy, model);
        }
        return Map.of(METRIC, accuracy);
    }

    /** The optimizer named by the "optimizer" choice, with the trial's learning rate and weight decay. */
    static Optimizer optimizer(String name, List<Parameter> params, double lr, double weightDecay) {
        return switch (name) {
            case "sgd" -> new SGD(params, lr, 0.9, weightDecay);
            case "adam" -> new Adam(params, lr, weightDecay);
            case "adamw" -> new AdamW(params, lr, weightDecay);
            case "rmsprop" -> new RMSprop(List.of(new ParameterGroup(params, lr, weightDecay)), 0.99, 1e-8, 0, false);
            default -> throw new IllegalArgumentException("TuningComparison: optimizer must be one of " + OPTIMIZERS
                    + ", got '" + name + "'");
        };
    }

    /** The rows as a fixed-width table, the strategy with the best validation accuracy marked. */
    static String table(List<Row> rows) {
        Row top = best(rows);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-11s %6s %6s %13s %17s %8s%n",
                "strategy", "trials", "epochs", "best val acc", "test acc of best", "wall s"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-11s %6d %6d %13.4f %17.4f %8.1f%n",
                    r.strategy() + (r == top ? " *" : ""), r.trials(), r.epochs(), r.bestValidation(), r.testOfBest(),
                    r.seconds()));
        }
        return sb.toString();
    }

    /** The row with the highest best validation accuracy (the first on a tie). */
    static Row best(List<Row> rows) {
        Row top = rows.get(0);
        for (Row r : rows) {
            if (r.bestValidation() > top.bestValidation()) {
                top = r;
            }
        }
        return top;
    }

    /** Rows by strategy, for tests. */
    static Map<Strategy, Row> byStrategy(List<Row> rows) {
        Map<Strategy, Row> out = new EnumMap<>(Strategy.class);
        rows.forEach(r -> out.put(r.strategy(), r));
        return out;
    }

    /**
     * The model of the best fully trained trial seen so far (the lowest number on a tie, as
     * {@code Study.bestTrial} picks), so that only one model is held at a time.
     */
    private static final class BestModel {
        private int number = -1;
        private double value = Double.NEGATIVE_INFINITY;
        private Module model;

        synchronized void offer(int trialNumber, double v, Module m) {
            if (v > value || (v == value && trialNumber < number)) {
                number = trialNumber;
                value = v;
                model = m;
            }
        }

        synchronized Module modelOf(FrozenTrial trial) {
            if (trial.number() != number) {
                throw new IllegalStateException("TuningComparison: the study's best trial is " + trial.number()
                        + " but the best fully trained model kept is trial " + number);
            }
            return model;
        }
    }
}
