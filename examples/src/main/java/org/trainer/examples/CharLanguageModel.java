package org.trainer.examples;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.TbpttLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Embedding;
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.RecurrentOptions;
import org.trainer.core.nn.RecurrentOutput;
import org.trainer.core.nn.RecurrentState;
import org.trainer.core.nn.Seeds;
import org.trainer.optim.Adam;
import org.trainer.optim.GradientClipping;

/**
 * A character-level LSTM language model on real English text (Debian's licence texts, see
 * {@link TextCorpus}), trained by truncated backpropagation through time.
 *
 * <p>The characters of the corpus, in file-name order, form one stream; its first 90% trains and
 * the last 10% validates (split by position, so no validation text is seen in training). Model:
 * embedding 64 -> one LSTM layer of {@value #HIDDEN} -> linear to the vocabulary. The training
 * stream is batchified into {@value #BATCH} parallel streams read in windows of {@value #WINDOW}
 * characters ({@link TbpttLoader}); each window starts from the previous window's detached state,
 * so the model sees long contexts while backpropagating through 64 steps. Adam (lr 0.004), gradients
 * clipped to norm 1, {@value #EPOCHS} epochs (about a minute on two cores).
 *
 * <p>Reported: validation bits per character, -log2 p(next character) averaged over the validation
 * stream (read the same way, carrying states), against the unigram baseline, the entropy of the
 * training characters' frequencies (what a model that ignores context achieves at best); then a
 * sample drawn from the model. {@code trainer-bench/peer/char_lstm.py} trains the same model in
 * PyTorch for comparison.
 */
public final class CharLanguageModel {
    static final int EMBED = 64;
    /** 128 rather than char-rnn's 256: 256 units cost about 45 s per epoch on two cores, too long for an example. */
    static final int HIDDEN = 128;
    static final int WINDOW = 64;
    static final int BATCH = 32;
    static final double LR = 0.004;
    static final double CLIP = 1.0;
    static final int EPOCHS = 3;
    static final double TRAIN_FRACTION = 0.9;

    private CharLanguageModel() {
    }

    /** Embedding -> LSTM -> linear; forward maps [N, T] characters and a state to [N, T, V] logits. */
    static final class Model extends Module {
        final Embedding embedding;
        final LSTM lstm;
        final Linear head;

        Model(int vocabulary, long seed) {
            embedding = registerModule("embedding", new Embedding(vocabulary, EMBED, Seeds.mix(seed + 1)));
            lstm = registerModule("lstm", new LSTM(EMBED, HIDDEN, RecurrentOptions.defaults().withBatchFirst(true),
                    Seeds.mix(seed + 2)));
            head = registerModule("head", new Linear(HIDDEN, vocabulary, true, null, Seeds.mix(seed + 3)));
        }

        @Override
        public Tensor forward(Tensor characters) {
            return step(characters, null).output();
        }

        /** Logits [N, T, V] as the output, and the LSTM's final state. */
        RecurrentOutput step(Tensor characters, RecurrentState state) {
            RecurrentOutput out = lstm.forward(embedding.forward(characters), null, state);
            return new RecurrentOutput(head.forward(out.output()), out.h(), out.c());
        }
    }

    public static void main(String[] args) {
        TextCorpus corpus = TextCorpus.fromArgs(args);
        String text = corpus.joined();
        char[] vocabulary = vocabulary(text);
        int[] ids = encode(text, vocabulary);
        int split = (int) (ids.length * TRAIN_FRACTION);
        int[] train = Arrays.copyOfRange(ids, 0, split);
        int[] validation = Arrays.copyOfRange(ids, split, ids.length);
        System.out.printf("corpus: %d files, %,d characters, %d distinct; train %,d, validation %,d (last %.0f%%)%n",
                corpus.names().size(), ids.length, vocabulary.length, train.length, validation.length,
                100 * (1 - TRAIN_FRACTION));

        double unigram = unigramEntropyBits(train, vocabulary.length);
        Seeds.set(7);
        Model model = new Model(vocabulary.length, 7);
        TbpttLoader loader = new TbpttLoader(train, BATCH, WINDOW);
        GradientClipping optimizer = GradientClipping.byNorm(new Adam(model.parameters(), LR), CLIP);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        System.out.printf("model: embedding %d, LSTM %d, %,d parameters; %d windows of %d x %d characters per epoch%n",
                EMBED, HIDDEN, model.parameterCount(), loader.size(), BATCH, WINDOW);

        long start = System.nanoTime();
        MemoryScope.Pool pool = new MemoryScope.Pool();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            model.train();
            RecurrentState state = null;
            double sum = 0;
            int count = 0;
            for (Batch b : loader) {
                try (MemoryScope step = MemoryScope.open(pool)) {
                    optimizer.zeroGrad();
                    RecurrentOutput out = model.step(b.features(), state);
                    Tensor l = loss.compute(out.output(), b.targets());
                    l.backward();
                    optimizer.step();
                    sum += l.item();
                    count++;
                    state = carry(out.state());
                }
                if (count % 25 == 0) {
                    System.out.printf("  epoch %d, window %d/%d: training %.3f bits/char (%.0f s)%n", epoch, count,
                            loader.size(), sum / count / Math.log(2), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double bits = validationBits(model, validation, pool);
        System.out.printf("validation: %.3f bits per character; unigram baseline (training character entropy) %.3f;"
                + " trained %d epoch(s) in %.0f s%n", bits, unigram, EPOCHS, seconds);
        System.out.println("sample (temperature 0.8), after \"This License\":");
        System.out.println(sample(model, vocabulary, "This License", 300, 0.8, 11));
    }

    /** The state's values, kept beyond the step's memory scope and cut from its graph. */
    static RecurrentState carry(RecurrentState s) {
        try (MemoryScope keep = MemoryScope.persistent()) {
            return new RecurrentState(s.h().detach().copy().detach(), s.c().detach().copy().detach());
        }
    }

    /** The corpus's distinct characters, sorted: index = character id. */
    static char[] vocabulary(String text) {
        TreeSet<Character> set = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) {
            set.add(text.charAt(i));
        }
        char[] v = new char[set.size()];
        int i = 0;
        for (char c : set) {
            v[i++] = c;
        }
        return v;
    }

    static int[] encode(String text, char[] vocabulary) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Arrays.binarySearch(vocabulary, text.charAt(i));
        }
        return ids;
    }

    /** H = -sum_c p_c log2 p_c over the characters' relative frequencies. */
    static double unigramEntropyBits(int[] ids, int vocabulary) {
        long[] counts = new long[vocabulary];
        for (int id : ids) {
            counts[id]++;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / ids.length;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }

    /** Mean -log2 p(next character) over the validation stream, batchified and read with carried states. */
    static double validationBits(Model model, int[] validation, MemoryScope.Pool pool) {
        model.eval();
        TbpttLoader loader = new TbpttLoader(validation, BATCH, WINDOW);
        CrossEntropyLoss sum = new CrossEntropyLoss().withReduction(org.trainer.core.loss.Reduction.SUM);
        double nats = 0;
        long count = 0;
        RecurrentState state = null;
        try (GradMode off = Tensor.noGrad()) {
            for (Batch b : loader) {
                try (MemoryScope step = MemoryScope.open(pool)) {
                    RecurrentOutput out = model.step(b.features(), state);
                    nats += sum.compute(out.output(), b.targets()).item();
                    count += b.targets().numel();
                    state = carry(out.state());
                }
            }
        }
        return nats / count / Math.log(2);
    }

    /** Feeds the prompt, then draws characters from softmax(logits / temperature) one at a time. */
    static String sample(Model model, char[] vocabulary, String prompt, int length, double temperature, long seed) {
        model.eval();
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(prompt);
        try (GradMode off = Tensor.noGrad()) {
            int[] p = encode(prompt, vocabulary);
            RecurrentOutput o = model.step(Tensor.fromArray(p, 1, p.length), null);
            for (int i = 0; i < length; i++) {
                float[] logits = o.output().narrow(1, o.output().size(1) - 1, 1).toFloatArray();
                int next = draw(logits, temperature, random);
                out.append(vocabulary[next]);
                o = model.step(Tensor.fromArray(new int[] {next}, 1, 1), o.state());
            }
        }
        return out.toString();
    }

    static int draw(float[] logits, double temperature, SplittableRandom random) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] w = new double[logits.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp((logits[i] - max) / temperature);
            total += w[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u <= 0) {
                return i;
            }
        }
        return w.length - 1;
    }
}
