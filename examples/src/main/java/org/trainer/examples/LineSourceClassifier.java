package org.trainer.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Embedding;
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.RecurrentOptions;
import org.trainer.core.nn.RecurrentOutput;
import org.trainer.core.nn.Seeds;
import org.trainer.core.train.EarlyStopping;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.Adam;

/**
 * Variable-length sequence classification: which licence does a line of text come from? The lines
 * (at least {@value #MIN_LENGTH} characters, trimmed) of four of Debian's licence texts
 * ({@link TextCorpus}: Apache-2.0, GFDL-1.3, GPL-3, MPL-2.0) are the samples, their file the class,
 * split stratified 70/15/15 into training, validation and test lines.
 *
 * <p>Lines differ in length, so each is stored padded with character id 0 to the longest line;
 * the model reads each line's length off its padding and runs a bidirectional LSTM over the real
 * characters only (as PyTorch's packed sequences), so padding changes nothing: the forward
 * direction's final state is the one after the line's last character, the backward direction's the
 * one after its first. The two final states feed a linear classifier (dropout 0.3 before it); Adam,
 * early stopping on validation accuracy with the best epoch's weights restored. Reported: test
 * accuracy against the majority-class baseline. With about 900 training lines of legal English in
 * which the four licences share much of their wording, a character model generalises modestly
 * (about 0.5 against 0.41): the example shows the mechanics of padded, variable-length batches.
 */
public final class LineSourceClassifier {
    static final List<String> SOURCES = List.of("Apache-2.0", "GFDL-1.3", "GPL-3", "MPL-2.0");
    static final int MIN_LENGTH = 20;
    static final int EMBED = 32;
    static final int HIDDEN = 64;
    static final int EPOCHS = 30;
    static final double LR = 0.003;

    private LineSourceClassifier() {
    }

    /** Padded characters [N, T] (0 = padding) -> class logits [N, classes]. */
    static final class Model extends Module {
        final Embedding embedding;
        final LSTM lstm;
        final Dropout dropout;
        final Linear head;

        Model(int vocabulary, int classes, long seed) {
            embedding = registerModule("embedding", new Embedding(vocabulary, EMBED, 0, Seeds.mix(seed + 1)));
            lstm = registerModule("lstm", new LSTM(EMBED, HIDDEN, RecurrentOptions.defaults().withBatchFirst(true)
                    .withBidirectional(true), Seeds.mix(seed + 2)));
            // 921 training lines are few for a character model: dropout on the line's features, and early
            // stopping below, keep it from memorising them.
            dropout = registerModule("dropout", new Dropout(0.3, Seeds.mix(seed + 3)));
            head = registerModule("head", new Linear(2 * HIDDEN, classes, true, null, Seeds.mix(seed + 4)));
        }

        @Override
        public Tensor forward(Tensor characters) {
            int n = characters.size(0);
            int[] c = characters.toIntArray();
            int width = characters.size(1);
            int[] lengths = new int[n];
            int longest = 1;
            for (int i = 0; i < n; i++) {
                int len = width;
                while (len > 1 && c[i * width + len - 1] == 0) {
                    len--;
                }
                lengths[i] = len;
                longest = Math.max(longest, len);
            }
            // Only as many steps as this batch's longest line: the padding beyond it would be skipped anyway.
            Tensor x = embedding.forward(characters.narrow(1, 0, longest));
            RecurrentOutput out = lstm.forward(x, Tensor.fromArray(lengths, n), null);
            Tensor h = out.h(); // [2, N, H]: forward then backward direction
            return head.forward(dropout.forward(Tensor.concat(1, h.narrow(0, 0, 1).reshape(n, HIDDEN),
                    h.narrow(0, 1, 1).reshape(n, HIDDEN))));
        }
    }

    public static void main(String[] args) {
        TextCorpus corpus = TextCorpus.fromArgs(args);
        List<String> lines = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int k = 0; k < SOURCES.size(); k++) {
            int file = corpus.names().indexOf(SOURCES.get(k));
            if (file < 0) {
                throw new IllegalStateException("the corpus has no file " + SOURCES.get(k) + "; it has "
                        + corpus.names());
            }
            for (String line : corpus.texts().get(file).split("\n")) {
                String t = line.strip();
                if (t.length() >= MIN_LENGTH) {
                    lines.add(t);
                    labels.add(k);
                }
            }
        }
        char[] vocabulary = CharLanguageModel.vocabulary(String.join("", lines));
        int width = lines.stream().mapToInt(String::length).max().orElseThrow();
        int[] x = new int[lines.size() * width];
        for (int i = 0; i < lines.size(); i++) {
            int[] ids = CharLanguageModel.encode(lines.get(i), vocabulary);
            for (int t = 0; t < ids.length; t++) {
                x[i * width + t] = ids[t] + 1; // 0 is the padding
            }
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        TensorDataset all = new TensorDataset(Tensor.fromArray(x, lines.size(), width), Tensor.fromArray(y,
                lines.size()));
        Split split = Splits.stratified(y, 7);
        int[] counts = new int[SOURCES.size()];
        for (int i : split.train()) {
            counts[y[i]]++;
        }
        System.out.printf("lines: %d (%s: %s), lengths %d to %d characters; train %d, validation %d, test %d%n",
                lines.size(), SOURCES, Arrays.toString(classCounts(y)), MIN_LENGTH, width, split.train().length,
                split.validation().length, split.test().length);

        Seeds.set(7);
        Model model = new Model(vocabulary.length + 1, SOURCES.size(), 7);
        DataLoader trainLoader = DataLoader.builder(split.trainSet(all)).batchSize(32).shuffle(true).seed(7).build();
        DataLoader validationLoader = DataLoader.builder(split.validationSet(all)).batchSize(256).build();
        EarlyStopping stop = new EarlyStopping("val_accuracy", EarlyStopping.Mode.MAX, 8, 0, true);
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(stop).progressBar(true);
        History history = trainer.fit(model, new CrossEntropyLoss(), new Adam(model.parameters(), LR), trainLoader,
                validationLoader, EPOCHS);
        int best = stop.bestEpoch(); // counted from 0
        System.out.printf("%d epochs, best validation accuracy after epoch %d (weights restored): training accuracy %.3f,"
                + " validation accuracy %.3f%n", history.epochCount(), best + 1, history.get("accuracy").get(best),
                history.get("val_accuracy").get(best));
        Map<String, Double> test = trainer.evaluate(model, new CrossEntropyLoss(),
                DataLoader.builder(split.testSet(all)).batchSize(256).build());
        int majority = Arrays.stream(counts).max().orElseThrow();
        System.out.printf("test accuracy %.3f; majority-class baseline %.3f%n", test.get("accuracy"),
                (double) majority / split.train().length);
    }

    private static int[] classCounts(int[] y) {
        int[] c = new int[SOURCES.size()];
        for (int v : y) {
            c[v]++;
        }
        return c;
    }
}
