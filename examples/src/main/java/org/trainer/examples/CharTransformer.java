package org.trainer.examples;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.TbpttLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.loss.Reduction;
import org.trainer.core.nn.Embedding;
import org.trainer.core.nn.LayerNorm;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.MultiheadAttention;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.SinusoidalPositionalEncoding;
import org.trainer.core.nn.TransformerEncoder;
import org.trainer.core.nn.TransformerEncoderLayer;
import org.trainer.core.nn.TransformerEncoderLayer.FeedForwardActivation;
import org.trainer.optim.Adam;
import org.trainer.optim.GradientClipping;

/**
 * The {@link CharLanguageModel} task with a Transformer instead of an LSTM: a decoder-only
 * character model (a Transformer encoder under a causal mask, so position t attends to positions
 * 0..t only). Same corpus, split, windows of {@value #WINDOW} characters in {@value #BATCH}
 * streams, Adam and clipping; embedding {@value #D_MODEL} plus the sinusoidal positional encoding,
 * {@value #LAYERS} pre-norm GELU blocks of {@value #HEADS} heads and feed-forward {@value #FEED_FORWARD},
 * a final norm and a linear head.
 *
 * <p>Unlike the LSTM, the model carries nothing from one window to the next: each window is
 * predicted from its own characters only, so its first characters have little context, in
 * validation as in training. Reported as for the LSTM: validation bits per character against the
 * unigram baseline, and a sample (drawn from the last {@value #WINDOW} characters at each step).
 */
public final class CharTransformer {
    static final int D_MODEL = 64;
    static final int HEADS = 4;
    static final int FEED_FORWARD = 128;
    static final int LAYERS = 2;
    static final int WINDOW = 64;
    static final int BATCH = 16;
    static final double LR = 0.005;
    static final int EPOCHS = 2;
    static final double DROPOUT = 0;

    private CharTransformer() {
    }

    /** Characters [N, T] -> logits [N, T, V], each position seeing itself and the positions before it. */
    static final class Model extends Module {
        final Embedding embedding;
        final SinusoidalPositionalEncoding positions;
        final TransformerEncoder encoder;
        final Linear head;

        Model(int vocabulary, long seed) {
            embedding = registerModule("embedding", new Embedding(vocabulary, D_MODEL, Seeds.mix(seed + 1)));
            positions = registerModule("positions", new SinusoidalPositionalEncoding(D_MODEL, WINDOW, DROPOUT,
                    Seeds.mix(seed + 2)));
            TransformerEncoderLayer layer = new TransformerEncoderLayer(D_MODEL, HEADS, FEED_FORWARD, DROPOUT,
                    FeedForwardActivation.GELU, true, 1e-5, Seeds.mix(seed + 3));
            encoder = registerModule("encoder", new TransformerEncoder(layer, LAYERS, new LayerNorm(D_MODEL)));
            head = registerModule("head", new Linear(D_MODEL, vocabulary, true, null, Seeds.mix(seed + 4)));
        }

        @Override
        public Tensor forward(Tensor characters) {
            int t = characters.size(1);
            Tensor x = positions.forward(embedding.forward(characters));
            return head.forward(encoder.forward(x, MultiheadAttention.causalMask(t), null));
        }
    }

    public static void main(String[] args) {
        TextCorpus corpus = TextCorpus.fromArgs(args);
        String text = corpus.joined();
        char[] vocabulary = CharLanguageModel.vocabulary(text);
        int[] ids = CharLanguageModel.encode(text, vocabulary);
        int split = (int) (ids.length * CharLanguageModel.TRAIN_FRACTION);
        int[] train = Arrays.copyOfRange(ids, 0, split);
        int[] validation = Arrays.copyOfRange(ids, split, ids.length);
        System.out.printf("corpus: %d files, %,d characters, %d distinct; train %,d, validation %,d%n",
                corpus.names().size(), ids.length, vocabulary.length, train.length, validation.length);

        Seeds.set(7);
        Model model = new Model(vocabulary.length, 7);
        TbpttLoader loader = new TbpttLoader(train, BATCH, WINDOW);
        GradientClipping optimizer = GradientClipping.byNorm(new Adam(model.parameters(), LR),
                CharLanguageModel.CLIP);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        System.out.printf("model: %d x TransformerEncoderLayer(d %d, %d heads, feed-forward %d, pre-norm, GELU), "
                + "causal mask, %,d parameters; %d windows of %d x %d characters per epoch%n", LAYERS, D_MODEL, HEADS,
                FEED_FORWARD, model.parameterCount(), loader.size(), BATCH, WINDOW);

        long start = System.nanoTime();
        MemoryScope.Pool pool = new MemoryScope.Pool();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            model.train();
            double sum = 0;
            int count = 0;
            for (Batch b : loader) {
                try (MemoryScope step = MemoryScope.open(pool)) {
                    optimizer.zeroGrad();
                    Tensor l = loss.compute(model.forward(b.features()), b.targets());
                    l.backward();
                    optimizer.step();
                    sum += l.item();
                    count++;
                }
            }
            System.out.printf("  epoch %d: training %.3f bits/char (%.0f s)%n", epoch, sum / count / Math.log(2),
                    (System.nanoTime() - start) / 1e9);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double bits = validationBits(model, validation, pool);
        System.out.printf("validation: %.3f bits per character; unigram baseline (training character entropy) %.3f;"
                + " trained %d epochs in %.0f s%n", bits, CharLanguageModel.unigramEntropyBits(train,
                vocabulary.length), EPOCHS, seconds);
        System.out.println("sample (temperature 0.8), after \"This License\":");
        System.out.println(sample(model, vocabulary, "This License", 300, 0.8, 11));
    }

    /** Mean -log2 p(next character) over the validation stream's windows. */
    static double validationBits(Model model, int[] validation, MemoryScope.Pool pool) {
        model.eval();
        CrossEntropyLoss sum = new CrossEntropyLoss().withReduction(Reduction.SUM);
        double nats = 0;
        long count = 0;
        try (GradMode off = Tensor.noGrad()) {
            for (Batch b : new TbpttLoader(validation, BATCH, WINDOW)) {
                try (MemoryScope step = MemoryScope.open(pool)) {
                    nats += sum.compute(model.forward(b.features()), b.targets()).item();
                    count += b.targets().numel();
                }
            }
        }
        return nats / count / Math.log(2);
    }

    /** Draws each next character from the model's prediction after the last WINDOW characters. */
    static String sample(Model model, char[] vocabulary, String prompt, int length, double temperature, long seed) {
        model.eval();
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(prompt);
        try (GradMode off = Tensor.noGrad()) {
            for (int i = 0; i < length; i++) {
                String context = out.substring(Math.max(0, out.length() - WINDOW));
                int[] p = CharLanguageModel.encode(context, vocabulary);
                Tensor logits = model.forward(Tensor.fromArray(p, 1, p.length));
                float[] last = logits.narrow(1, p.length - 1, 1).toFloatArray();
                out.append(vocabulary[CharLanguageModel.draw(last, temperature, random)]);
            }
        }
        return out.toString();
    }
}
