package org.trainer.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import java.util.concurrent.ConcurrentHashMap;

import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.BatchSource;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.Trainer;
import org.trainer.core.SplitMix64;
import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.HyperbandPruner;
import org.trainer.hpo.HyperbandScheduler;
import org.trainer.hpo.ResumableObjective;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.Pruner;
import org.trainer.hpo.RandomSampler;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Study;
import org.trainer.hpo.Trial;
import org.trainer.hpo.TrialPruned;
import org.trainer.hpo.TrialState;
import org.trainer.optim.SGD;

/**
 * Hyperband against random search on a real multi-fidelity problem: an MLP (64-h-10, ReLU,
 * SGD with momentum) on the bundled UCI digits, split 70/15/15 stratified by class (one fixed
 * split), objective the validation accuracy after the last epoch, resource the epochs (max 27,
 * eta 3). Space: learning rate log-uniform 1e-4..1, batch size {16, 32, 64, 128}, hidden units
 * 16..256 log, weight decay log 1e-6..1e-1, momentum 0..0.99.
 *
 * <p>Five searches per seed, each with a budget counted in training epochs: random search with
 * full 27-epoch trials at 810 and at 270 epochs; synchronous Hyperband ({@link HyperbandScheduler},
 * trials paused between rungs and continued) at 270 with minimum resource 1 and 3 epochs; and
 * asynchronous Hyperband (random proposals pruned by {@link HyperbandPruner}, trials one after
 * another) at 270. A search stops when its budget is spent; a trial the budget cuts short is not
 * counted. The figure per search is the best validation accuracy among its COMPLETE (27-epoch)
 * trials; the program prints each seed's figures and then, per search, the median, minimum and
 * maximum over seeds and the median test accuracy of the best trials. Trial n of every search
 * with seed s has the same configuration and the same training (common random numbers).
 *
 * <p>Usage: {@code HyperbandDigits [seeds=10]}.
 */
public final class HyperbandDigits {
    static final int MAX_EPOCHS = 27;
    static final int ETA = 3;

    private HyperbandDigits() {
    }

    /** Train, validation and test parts with the class proportions of the whole (70/15/15). */
    record Split(TensorDataset train, TensorDataset validation, TensorDataset test) {
    }

    static Split stratified(TensorDataset all, long seed) {
        int[] labels = all.targets().toIntArray();
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        SplitMix64 rng = new SplitMix64(seed);
        for (int c = 0; c < Digits.CLASSES; c++) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    idx.add(i);
                }
            }
            for (int i = idx.size() - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                Integer t = idx.get(i);
                idx.set(i, idx.get(j));
                idx.set(j, t);
            }
            int nTrain = (int) Math.round(0.70 * idx.size());
            int nVal = (int) Math.round(0.15 * idx.size());
            train.addAll(idx.subList(0, nTrain));
            val.addAll(idx.subList(nTrain, nTrain + nVal));
            test.addAll(idx.subList(nTrain + nVal, idx.size()));
        }
        return new Split(all.subset(sorted(train)), all.subset(sorted(val)), all.subset(sorted(test)));
    }

    private static int[] sorted(List<Integer> idx) {
        int[] a = idx.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }

    static SearchSpace space() {
        return SearchSpace.builder()
                .add("lr", FloatRange.log(1e-4, 1))
                .add("batch_size", CategoricalRange.of(16, 32, 64, 128))
                .add("hidden", IntRange.log(16, 256))
                .add("weight_decay", FloatRange.log(1e-6, 1e-1))
                .add("momentum", FloatRange.linear(0, 0.99))
                .build();
    }

    /** One search's outcome. */
    record Outcome(double bestValidation, double testOfBest, int trials, int complete, long epochs) {
    }

    /**
     * One configuration's training, continued across calls: the model, optimizer and loader
     * live between rungs, and epoch e of the run always sees the loader's epoch-e shuffle.
     */
    static final class Run {
        final Trial trial;
        final Sequential model;
        final SGD sgd;
        final DataLoader train;
        final DataLoader validation;
        int done;
        double last = Double.NaN;

        Run(Trial trial, Split data) {
            this.trial = trial;
            Map<String, Object> p = trial.params();
            Seeds.set(trial.seed());
            int hidden = (Integer) p.get("hidden");
            model = new Sequential(new Linear(64, hidden, true, null, Seeds.next()), new Activation.ReLU(),
                    new Linear(hidden, Digits.CLASSES, true, null, Seeds.next()));
            train = DataLoader.builder(data.train()).batchSize((Integer) p.get("batch_size")).shuffle(true)
                    .seed(trial.seed()).build();
            validation = DataLoader.builder(data.validation()).batchSize(512).build();
            sgd = new SGD(model.parameters(), (Double) p.get("lr"), (Double) p.get("momentum"), (Double) p.get("weight_decay"));
        }

        /**
         * Trains up to {@code total} epochs in all, reporting validation accuracy per epoch; with
         * {@code askPruner}, stops when the study's pruner says so. Returns the epochs trained now.
         */
        int advance(int total, boolean askPruner) {
            int offset = done;
            BatchSource shifted = new BatchSource() {
                @Override
                public BatchIterator iterator(int epoch) {
                    return train.iterator(offset + epoch);
                }

                @Override
                public int batchesPerEpoch() {
                    return train.batchesPerEpoch();
                }
            };
            Callback report = new Callback() {
                @Override
                public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
                    last = logs.get("val_accuracy");
                    trial.report(offset + epoch + 1, last);
                    if (askPruner && trial.shouldPrune()) {
                        ctx.requestStop();
                    }
                }
            };
            History h = new Trainer().metrics(Accuracy::new).callbacks(report)
                    .fit(model, new CrossEntropyLoss(), sgd, shifted, validation, total - done);
            done += h.epochCount();
            return h.epochCount();
        }

        double test(Split data) {
            DataLoader test = DataLoader.builder(data.test()).batchSize(512).build();
            return new Trainer().metrics(Accuracy::new).evaluate(model, new CrossEntropyLoss(), test).get("accuracy");
        }
    }

    static Study study(Pruner pruner, long seed) {
        return Study.builder().name("digits").direction(Direction.MAXIMIZE).sampler(new RandomSampler())
                .pruner(pruner).space(space()).seed(seed).build();
    }

    /**
     * Trials one after another until {@code budget} epochs are spent, each up to 27 epochs, the
     * pruner asked after every epoch (random search: {@code Pruner.none()}; asynchronous
     * Hyperband: {@link HyperbandPruner}). A trial the budget cuts short is not counted.
     */
    static Outcome sequential(Split data, Pruner pruner, int budget, long seed) {
        Study study = study(pruner, seed);
        long used = 0;
        double best = Double.NEGATIVE_INFINITY;
        double testOfBest = Double.NaN;
        while (used < budget) {
            Run run = new Run(study.ask(), data);
            int epochs = (int) Math.min(MAX_EPOCHS, budget - used);
            used += run.advance(epochs, true);
            if (run.done < MAX_EPOCHS) {
                study.tell(run.trial, new TrialPruned(run.done < epochs ? "pruned at epoch " + run.done
                        : "the budget ran out at epoch " + run.done));
                continue;
            }
            study.tell(run.trial, Double.isFinite(run.last) ? run.last : 0);
            if (run.last > best) {
                best = run.last;
                testOfBest = run.test(data);
            }
        }
        return outcome(study, best, testOfBest, used);
    }

    /** Synchronous Hyperband ({@link HyperbandScheduler}) with paused and continued trials. */
    static Outcome hyperband(Split data, int minResource, int budget, long seed) {
        Study study = study(Pruner.none(), seed);
        Map<Integer, Run> runs = new ConcurrentHashMap<>();
        double[] best = {Double.NEGATIVE_INFINITY, Double.NaN};
        long used = new HyperbandScheduler(minResource, MAX_EPOCHS, ETA).run(study, new ResumableObjective() {
            @Override
            public double train(Trial trial, int resource) {
                Run run = runs.computeIfAbsent(trial.number(), n -> new Run(trial, data));
                run.advance(resource, false);
                if (run.done == MAX_EPOCHS && run.last > best[0]) {
                    best[0] = run.last;
                    best[1] = run.test(data);
                }
                return Double.isFinite(run.last) ? run.last : 0;
            }

            @Override
            public void release(Trial trial) {
                runs.remove(trial.number());
            }
        }, budget, 1);
        return outcome(study, best[0], best[1], used);
    }

    private static Outcome outcome(Study study, double best, double testOfBest, long used) {
        List<FrozenTrial> trials = study.trials();
        int complete = (int) trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count();
        return new Outcome(complete == 0 ? Double.NaN : best, testOfBest, trials.size(), complete, used);
    }


    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Split data = stratified(Digits.load(), 0);
        String[] names = {"random, full trials, 810 epochs", "random, full trials, 270 epochs",
            "Hyperband, synchronous, 270 epochs", "Hyperband, asynchronous (pruner), 270 epochs",
            "Hyperband, synchronous, min resource 3, 270 epochs"};
        int m = names.length;
        double[][] best = new double[m][seeds];
        double[][] test = new double[m][seeds];
        for (int s = 0; s < seeds; s++) {
            Outcome[] o = {
                sequential(data, Pruner.none(), 810, s),
                sequential(data, Pruner.none(), 270, s),
                hyperband(data, 1, 270, s),
                sequential(data, new HyperbandPruner(1, MAX_EPOCHS, ETA, s), 270, s),
                hyperband(data, 3, 270, s),
            };
            for (int k = 0; k < m; k++) {
                best[k][s] = o[k].bestValidation();
                test[k][s] = o[k].testOfBest();
                System.out.printf(Locale.ROOT, "seed %d  %-50s best val %.4f  test %.4f  trials %3d (complete %2d)  epochs %d%n",
                        s, names[k], o[k].bestValidation(), o[k].testOfBest(), o[k].trials(), o[k].complete(), o[k].epochs());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| search | median best validation accuracy | min | max | median test accuracy of the best | seeds |%n");
        System.out.println("|---|---|---|---|---|---|");
        for (int k = 0; k < m; k++) {
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %d |%n", names[k], Stats.median(best[k]),
                    Arrays.stream(best[k]).min().orElse(Double.NaN), Arrays.stream(best[k]).max().orElse(Double.NaN),
                    Stats.median(test[k]), seeds);
        }
    }
}
