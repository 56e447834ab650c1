package org.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.monitor.DeadRelu;
import org.trainer.core.monitor.Diagnosis;
import org.trainer.core.monitor.ExplodingTensor;
import org.trainer.core.monitor.LossNotDecreasing;
import org.trainer.core.monitor.Monitor;
import org.trainer.core.monitor.Overfit;
import org.trainer.core.monitor.Overtraining;
import org.trainer.core.monitor.PoorWeightInitialization;
import org.trainer.core.monitor.Problem;
import org.trainer.core.monitor.SaturatedActivation;
import org.trainer.core.monitor.UnnormalizedInputs;
import org.trainer.core.monitor.VanishingGradient;
import org.trainer.core.monitor.WeightUpdateRatio;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Init;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.Trainer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * The monitor and the diagnosis on a matrix of short runs on the bundled digits, each on 5 seeds,
 * with every built-in rule attached: every healthy run reports nothing (no finding, no problem but
 * the notes marked expected, such as validation better than training under dropout),
 * and every broken run's diagnosis names its cause first (the first cause of its first problem).
 */
class MonitorMatrixTest {
    private static final long[] SEEDS = {1, 2, 3, 4, 5};
    private static final TensorDataset ALL = Digits.load();
    private static final int[] ORDER = Shuffle.permutation(ALL.size(), 42, 0);
    /** The quick start's split: a held-out fifth (359 samples) for validation. */
    private static final TensorDataset VALIDATION = ALL.subset(Arrays.copyOfRange(ORDER, 0, 359));
    private static final TensorDataset TRAIN = ALL.subset(Arrays.copyOfRange(ORDER, 359, ORDER.length));

    /**
     * One kind of run.
     *
     * @param cause what the first cause must mention (a regular expression), or null for a healthy run
     */
    record Run(String name, String cause, Function<Long, History> fit) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (Run r : kinds()) {
            for (long seed : SEEDS) {
                out.add(Arguments.of(r, seed));
            }
        }
        return out.stream();
    }

    static List<Run> kinds() {
        return List.of(
                // Healthy runs; the first is the quick start's recipe (20 epochs, a held-out fifth for validation).
                new Run("quick-start MLP", null, seed -> fit(seed, mlp(128), m -> new SGD(m.parameters(), 0.05, 0.9,
                        1e-4), TRAIN, 32, 20)),
                new Run("CNN", null, seed -> fit(seed, cnn(), m -> new SGD(m.parameters(), 0.05, 0.9, 0), images(TRAIN),
                        images(VALIDATION), 32, 8)),
                new Run("Adam + dropout", null, seed -> fit(seed, new Sequential(new Linear(64, 128),
                        new Activation.ReLU(), new Dropout(0.3), new Linear(128, 10)), m -> new Adam(m.parameters(),
                        1e-3), TRAIN, 32, 12)),
                new Run("tanh MLP", null, seed -> fit(seed, new Sequential(new Linear(64, 64), new Activation.Tanh(),
                        new Linear(64, 10)), m -> new SGD(m.parameters(), 0.05, 0.9, 0), TRAIN, 32, 10)),
                new Run("Adam MLP", null, seed -> fit(seed, mlp(64), m -> new Adam(m.parameters(), 1e-3), TRAIN, 32,
                        10)),
                // Broken runs.
                new Run("deep sigmoid stack", "vanishing gradients", seed -> fit(seed, deepSigmoid(),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), ALL.subset(Arrays.copyOfRange(ORDER, 359, 999)),
                        32, 3)),
                new Run("SGD at learning rate 10", "learning rate (is )?too high", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 10, 0.9, 0), TRAIN, 32, 4)),
                new Run("Adam at learning rate 0.5", "learning rate (is )?too high", seed -> fit(seed, mlp(64),
                        m -> new Adam(m.parameters(), 0.5), TRAIN, 32, 4)),
                new Run("SGD at learning rate 1 collapses", "learning rate (is )?too high", seed -> fit(seed,
                        mlp(64), m -> new SGD(m.parameters(), 1, 0.9, 0), TRAIN, 32, 4)),
                new Run("learning rate 1e-6", "learning rate is too low", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 1e-6, 0, 0), TRAIN, 32, 4)),
                new Run("learning rate 0", "learning rate is 0", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 0, 0, 0), TRAIN, 32, 4)),
                new Run("big MLP on 60 samples, 40% wrong labels", "memorises", seed -> fit(seed, bigMlp(),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), wrongLabels(ALL.subset(Arrays.copyOfRange(ORDER,
                                359, 419)), 0.4, seed), 10, 20)),
                new Run("all-zero weights", "initialization", seed -> fit(seed, new Sequential(new Linear(64, 64, true,
                        Init.zeros(), seed), new Activation.ReLU(), new Linear(64, 10, true, Init.zeros(), seed + 1)),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), TRAIN, 32, 4)),
                new Run("weights of std 10", "initialization", seed -> fit(seed, new Sequential(new Linear(64, 64,
                        true, Init.normal(0, 10), seed), new Activation.ReLU(), new Linear(64, 10, true,
                        Init.normal(0, 10), seed + 1)), m -> new SGD(m.parameters(), 0.01, 0.9, 0), TRAIN, 32, 4)),
                new Run("biases that kill every ReLU", "dead ReLUs", seed -> fit(seed, deadRelu(),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), TRAIN, 32, 4)),
                new Run("saturated tanh", "saturated", seed -> fit(seed, new Sequential(new Linear(64, 64, true,
                        Init.normal(0, 1.2), seed), new Activation.Tanh(), new Linear(64, 10)),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), TRAIN, 32, 4)),
                new Run("labels shuffled against the inputs", "labels do not match", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), shuffledLabels(TRAIN, seed), 32, 6)),
                new Run("40% wrong labels", "noisy labels", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 0.02, 0.9, 0), wrongLabels(TRAIN, 0.4, seed), 32, 6)),
                new Run("first layer left out of the optimizer", "frozen by mistake", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters().subList(2, 4), 0.05, 0.9, 0), TRAIN, 32, 4)),
                new Run("inputs not normalized (x 255)", "not normalized", seed -> fit(seed, mlp(64),
                        m -> new SGD(m.parameters(), 0.05, 0.9, 0), scaled(TRAIN, 255), scaled(VALIDATION, 255), 32,
                        4)),
                new Run("rank-one bottleneck", "model too small", seed -> fit(seed, new Sequential(new Linear(64, 1),
                        new Linear(1, 10)), m -> new SGD(m.parameters(), 0.05, 0.9, 0), TRAIN, 32, 10)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("runs")
    void healthyRunsReportNothingAndBrokenRunsNameTheirCause(Run run, long seed) {
        Seeds.set(seed); // before the run builds its model
        History h = run.fit().apply(seed);
        Diagnosis d = Diagnosis.of(h);
        if (run.cause() == null) {
            assertEquals(List.of(), h.findings(), () -> "findings on a healthy run:\n" + h);
            assertEquals(List.of(), d.problems().stream().filter(p -> !p.expected()).toList(), d::toString);
            return;
        }
        assertFalse(d.problems().isEmpty(), () -> "nothing diagnosed:\n" + h + "\n" + h.findings());
        Problem first = d.problems().get(0);
        assertFalse(first.causes().isEmpty(), first::toString);
        assertTrue(Pattern.compile(run.cause(), Pattern.CASE_INSENSITIVE).matcher(first.causes().get(0)).find(),
                () -> "expected the first cause to name '" + run.cause() + "':\n" + d + "\nfindings: " + h.findings());
    }

    private static History fit(long seed, Module model, Function<Module, Optimizer> optimizer, TensorDataset train,
                               int batch, int epochs) {
        return fit(seed, model, optimizer, train, VALIDATION, batch, epochs);
    }

    /** Trains with every built-in rule sampled every 10 steps (short runs), accuracy and per-step losses recorded. */
    private static History fit(long seed, Module model, Function<Module, Optimizer> optimizer, TensorDataset train,
                               TensorDataset validation, int batch, int epochs) {
        Module m = model;
        DataLoader tl = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(seed).build();
        DataLoader vl = DataLoader.builder(validation).batchSize(512).build();
        Monitor monitor = Monitor.builder().every(10).rules(new VanishingGradient(), new ExplodingTensor(),
                new LossNotDecreasing(), new Overfit(), new Overtraining(), new PoorWeightInitialization(),
                new DeadRelu(), new SaturatedActivation(), new WeightUpdateRatio(), new UnnormalizedInputs()).build();
        return new Trainer().metrics(Accuracy::new).recordStepLosses(true).callbacks(monitor)
                .fit(m, new CrossEntropyLoss(), optimizer.apply(m), tl, vl, epochs);
    }

    private static Sequential mlp(int hidden) {
        return new Sequential(new Linear(64, hidden), new Activation.ReLU(), new Linear(hidden, 10));
    }

    private static Sequential bigMlp() {
        return new Sequential(new Linear(64, 256), new Activation.ReLU(), new Linear(256, 256), new Activation.ReLU(),
                new Linear(256, 10));
    }

    private static Sequential cnn() {
        return new Sequential(new Conv2d(1, 8, 3, 1, 1), new Activation.ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(8 * 4 * 4, 10));
    }

    private static Sequential deepSigmoid() {
        List<Module> layers = new ArrayList<>();
        layers.add(new Linear(64, 32));
        layers.add(new Activation.Sigmoid());
        for (int i = 0; i < 10; i++) {
            layers.add(new Linear(32, 32));
            layers.add(new Activation.Sigmoid());
        }
        layers.add(new Linear(32, 10));
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static Sequential deadRelu() {
        Sequential m = new Sequential(new Linear(64, 64), new Activation.ReLU(), new Linear(64, 64),
                new Activation.ReLU(), new Linear(64, 10));
        m.get(2).namedParameters().get("bias").set(Tensor.full(DType.FLOAT32, -20, 64));
        return m;
    }

    private static TensorDataset images(TensorDataset d) {
        return new TensorDataset(d.features().reshape(d.size(), 1, 8, 8), d.targets());
    }

    private static TensorDataset scaled(TensorDataset d, float factor) {
        float[] x = d.features().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
        return new TensorDataset(Tensor.fromArray(x, d.features().shape()), d.targets());
    }

    private static TensorDataset withLabels(TensorDataset d, UnaryOperator<int[]> change) {
        return new TensorDataset(d.features(), Tensor.fromArray(change.apply(d.targets().toIntArray()), d.size()));
    }

    /** The labels in a seeded random order: each sample gets another sample's label. */
    private static TensorDataset shuffledLabels(TensorDataset d, long seed) {
        return withLabels(d, y -> {
            int[] p = Shuffle.permutation(y.length, 1000 + seed, 0);
            int[] out = new int[y.length];
            for (int i = 0; i < y.length; i++) {
                out[i] = y[p[i]];
            }
            return out;
        });
    }

    /** A seeded {@code fraction} of the labels replaced by another class. */
    private static TensorDataset wrongLabels(TensorDataset d, double fraction, long seed) {
        return withLabels(d, y -> {
            Random r = new Random(2000 + seed);
            int[] out = y.clone();
            for (int i = 0; i < out.length; i++) {
                if (r.nextDouble() < fraction) {
                    out[i] = (out[i] + 1 + r.nextInt(9)) % 10;
                }
            }
            return out;
        });
    }
}
