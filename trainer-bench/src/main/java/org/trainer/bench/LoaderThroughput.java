package org.trainer.bench;

import java.io.IOException;
import java.time.LocalDate;
import java.util.Locale;

import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.augment.HorizontalFlip;
import org.trainer.core.data.augment.RandomCrop;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.optim.SGD;

/**
 * Can the augmenting data loader keep up with training? On Fashion-MNIST (60,000 training
 * images, batch 64) with the usual recipe, a random horizontal flip and a 28x28 crop after padding
 * by 2 pixels, it times, in samples per second:
 * <ol>
 *   <li>the loader alone (gather, flip, crop, stack), at 0, 1 and 2 worker threads, and the same
 *       loader without augmentation;</li>
 *   <li>training steps alone (forward, cross-entropy, backward, SGD momentum) of the MLP and the
 *       CNN of {@link TrainingModels}, on augmented batches loaded beforehand;</li>
 *   <li>the two together, as {@code Trainer.fit} runs them: each step takes its batch from the
 *       augmenting loader, at 0 and 2 workers.</li>
 * </ol>
 * When the loader alone is much faster than the step, augmentation costs training little; the
 * end-to-end rows show what the worker threads buy (or cost, on a machine with few cores, where
 * they compete with the backend's own threads).
 *
 * <p>Each workload is one pass over {@code --batches} batches (default 100), timed with the peer
 * harness's procedure ({@link Timing}: warm-up, then {@code --reps} repetitions of at least
 * {@code --min-time} seconds; best and median). Run from the repository root after building:
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar \
 *       org.trainer.bench.LoaderThroughput [FASHION_MNIST_DIR] [--reps 5] [--min-time 0.5] [--batches 100]
 * </pre>
 * A harness that prints numbers for a person to read: nothing fails.
 */
public final class LoaderThroughput {
    private static final int BATCH = 64;
    private static final long SEED = 42;

    private final TensorDataset train;
    private final Timing timing;
    private final int batches;
    private int epoch;

    private LoaderThroughput(TensorDataset train, Timing timing, int batches) {
        this.train = train;
        this.timing = timing;
        this.batches = batches;
    }

    public static void main(String[] args) throws IOException {
        String dir = null;
        int reps = 5;
        double minTime = 0.5;
        int batches = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--min-time" -> minTime = Double.parseDouble(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("LoaderThroughput: unknown option " + args[i]
                                + " (expected --reps, --min-time, --batches or a directory)");
                    }
                    dir = args[i];
                }
            }
        }
        FashionMnist data = FashionMnist.load(dir == null ? new String[0] : new String[] {dir});
        TensorDataset train = FashionMnist.NORMALIZE.apply(data.train());
        new LoaderThroughput(train, new Timing(reps, minTime, 2.0), batches).run();
    }

    /** The training loader: shuffled, flip and padded crop (the padding is a normalised 0, i.e. black). */
    private DataLoader loader(int workers, boolean augment) {
        DataLoader.Builder b = DataLoader.builder(train).batchSize(BATCH).shuffle(true).seed(SEED).workers(workers);
        if (augment) {
            double black = (0 - 0.2860) / 0.3530;
            b.augment(new HorizontalFlip(), new RandomCrop(28, 28, 2, black));
        }
        return b.build();
    }

    private void run() {
        System.out.println("# LoaderThroughput, " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, backend threads " + Parallel.threads() + ", Java " + Runtime.version());
        System.out.println("# Fashion-MNIST train " + train.size() + " samples, batch " + BATCH + ", " + batches
                + " batches per timed pass; augmentation: HorizontalFlip(0.5), RandomCrop(28x28, padding 2)");
        System.out.println();
        System.out.println("| workload | workers | samples/s (best) | samples/s (median) | cores busy |");
        System.out.println("|---|---:|---:|---:|---:|");
        row("loader, no augmentation", 0, timing.measure(() -> drain(loader(0, false))));
        for (int workers = 0; workers <= 2; workers++) {
            DataLoader l = loader(workers, true);
            row("loader, flip + crop", workers, timing.measure(() -> drain(l)));
        }
        // The same augmented batches, loaded beforehand: what the steps cost without the loader. (Not
        // one batch repeated: fitting it drives the gradients towards subnormal floats, which are slow.)
        Batch[] loaded = new Batch[batches];
        try (BatchIterator it = loader(0, true).iterator(0)) {
            for (int i = 0; i < batches; i++) {
                loaded[i] = it.next();
            }
        }
        for (TrainingModels kind : TrainingModels.values()) {
            Step step = new Step(kind);
            row("train step " + kind + ", batches loaded beforehand", -1, timing.measure(() -> {
                for (Batch b : loaded) {
                    step.run(b);
                }
            }));
            for (int workers : new int[] {0, 2}) {
                DataLoader l = loader(workers, true);
                row("train " + kind + " from the loader, flip + crop", workers, timing.measure(() -> {
                    try (BatchIterator it = l.iterator(epoch++)) {
                        for (int i = 0; i < batches && it.hasNext(); i++) {
                            step.run(it.next());
                        }
                    }
                }));
            }
        }
    }

    /** Takes {@code batches} batches of a fresh epoch; the sum keeps the JIT from skipping the work. */
    private void drain(DataLoader l) {
        double sum = 0;
        try (BatchIterator it = l.iterator(epoch++)) {
            for (int i = 0; i < batches && it.hasNext(); i++) {
                sum += it.next().features().numel();
            }
        }
        if (sum < 0) {
            throw new AssertionError();
        }
    }

    private void row(String workload, int workers, Timing.Result r) {
        double samples = (double) batches * BATCH;
        System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f |%n", workload,
                workers < 0 ? "-" : String.valueOf(workers), samples / r.best(), samples / r.median(), r.bestCores());
    }

    /** One training step on a given batch, as {@link TrainingStep} runs it on its fixed one. */
    private static final class Step {
        final Sequential model;
        final SGD optimizer;
        final CrossEntropyLoss loss = new CrossEntropyLoss();
        final MemoryScope.Pool pool = new MemoryScope.Pool();

        Step(TrainingModels kind) {
            Seeds.set(SEED);
            model = kind.build();
            optimizer = new SGD(model.parameters(), 0.01, 0.9, 0);
        }

        void run(Batch b) {
            try (MemoryScope step = MemoryScope.open(pool)) {
                optimizer.zeroGrad();
                loss.compute(model.forward(b.features()), b.targets()).backward();
            }
            optimizer.step();
        }
    }
}
