package org.trainer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;

/**
 * One full-loop workload of the peer harness, in a fresh JVM so that its first epoch is a first
 * epoch: training as a user writes it with the public API, a shuffled {@link DataLoader} (defaults
 * otherwise: no prefetch) over synthetic MNIST-shaped data (standard normal images [N, 1, 28, 28],
 * uniform labels 0..9) fed to {@link Trainer#fit} without metrics, validation or console output.
 * Then, in the same JVM, the same model's bare step on one fixed batch ({@link TrainingStep}, timed
 * by {@link Timing}), so that the loop's time per step can be set against the step alone.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar org.trainer.bench.FullLoop \
 *       "loop mlp sgd b64" [--epochs 10] [--threads 2] [--samples 30000] [--step-reps 7]
 * </pre>
 *
 * <p>Prints one flat JSON object per line, as peers.py does: {@code "kind": "epoch"} per epoch
 * (1-based number, wall seconds, samples/s, cores busy, heap bytes the training thread allocated
 * per step) and {@code "kind": "step"} (the bare step's
 * best and median ms). {@code --step-reps 0} skips the bare step. The harness {@link PeerHarness}
 * runs it with {@code --only loop}.
 */
public final class FullLoop {

    private FullLoop() {
    }

    /**
     * Runs one workload and prints its lines.
     *
     * @param args the workload's name ({@code "loop mlp sgd b64"} or {@code MLP_SGD_B64}), then options
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("FullLoop: the first argument must be a workload, one of "
                    + List.of(LoopWorkload.values()));
        }
        LoopWorkload w = LoopWorkload.named(args[0]);
        int epochs = 10;
        int threads = 2;
        int samples = 30_000;
        int stepReps = 7;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("FullLoop: option " + args[i] + " needs a value");
            }
            int value = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--epochs" -> epochs = value;
                case "--threads" -> threads = value;
                case "--samples" -> samples = value;
                case "--step-reps" -> stepReps = value;
                default -> throw new IllegalArgumentException("FullLoop: unknown option " + args[i]
                        + " (expected --epochs, --threads, --samples or --step-reps)");
            }
        }
        Parallel.setThreads(threads);
        runLoop(w, epochs, threads, samples);
        if (stepReps > 0) {
            TrainingStep step = new TrainingStep(w.model, w.batch, 42, w.optimizerFactory());
            Timing.Result r = new Timing(stepReps, 0.5, 1.0).measure(step::run);
            System.out.printf(Locale.ROOT, "{\"kind\": \"step\", \"workload\": \"%s\", \"threads\": %d, \"best\": %.6f,"
                    + " \"median\": %.6f, \"cores\": %.3f}%n", w.workload(), threads, r.best() * 1e3, r.median() * 1e3,
                    r.bestCores());
        }
    }

    /** Trains {@code epochs} epochs over {@code samples} synthetic samples and prints each epoch's figures. */
    private static void runLoop(LoopWorkload w, int epochs, int threads, int samples) {
        Seeds.set(42);
        Tensor images = Tensor.randn(42, samples, 1, 28, 28);
        Random random = new Random(42);
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = random.nextInt(10);
        }
        DataLoader loader = DataLoader.builder(new TensorDataset(images, Tensor.fromArray(labels, samples)))
                .batchSize(w.batch).shuffle(true).seed(42).build();
        Sequential model = w.model.build();
        int steps = loader.batchesPerEpoch();
        List<Double> seconds = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> bytes = new ArrayList<>();
        new Trainer().verbose(false).callbacks(new EpochClock(0, seconds, cpu, bytes))
                .fit(model, new CrossEntropyLoss(), w.optimizerFactory().apply(model.parameters()), loader, null, epochs);
        for (int e = 0; e < seconds.size(); e++) {
            System.out.printf(Locale.ROOT, "{\"kind\": \"epoch\", \"workload\": \"%s\", \"threads\": %d, \"epoch\": %d,"
                    + " \"seconds\": %.6f, \"samples_per_s\": %.1f, \"cores\": %.3f, \"bytes_per_step\": %.0f}%n",
                    w.workload(), threads, e + 1, seconds.get(e), samples / seconds.get(e), cpu.get(e) / seconds.get(e),
                    bytes.get(e) / steps);
        }
    }
}
