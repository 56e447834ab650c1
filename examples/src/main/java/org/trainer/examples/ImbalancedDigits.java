package org.trainer.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.ClassWeights;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.WeightedRandomSampler;
import org.trainer.core.data.augment.Smote;
import org.trainer.core.data.split.Fold;
import org.trainer.core.data.split.KFold;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.ConfusionMatrix;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * Class imbalance on real data: the bundled UCI digits made into a 95/5 problem, "is it an 8?"
 * (all 1,623 other digits against 85 of the 174 eights). It shows two things.
 *
 * <p>(1) Splits: over 20 seeds, how many eights a random 70/15/15 split leaves in the test part
 * (12.75 expected) against a stratified split (always 12 or 13).
 *
 * <p>(2) Imbalance: a logistic regression scored by stratified 5-fold cross-validation, its
 * confusion counts pooled over the folds, trained (a) plainly, (b) with balanced class weights in
 * the loss, (c) with a weighted sampler drawing both classes equally, (d) on a SMOTE-balanced
 * training set. The fix for imbalance is applied to each fold's training part only; the
 * validation part is scored as it is.
 */
public final class ImbalancedDigits {
    static final int POSITIVE_DIGIT = 8;
    private static final int EPOCHS = 15;

    private ImbalancedDigits() {
    }

    /** Eights found (recall), precision of the "8" answers, and the pooled confusion counts. */
    record Result(String method, int truePositives, int falseNegatives, int falsePositives, double recall,
            double precision) {
    }

    public static void main(String[] args) {
        TensorDataset data = dataset();
        int[] y = data.targets().toIntArray();
        int positives = Arrays.stream(y).sum();
        System.out.printf("digits as \"is it an %d?\": %d samples, %d positives (%.1f%%)%n", POSITIVE_DIGIT, y.length,
                positives, 100.0 * positives / y.length);

        int[][] counts = testPositives(y, 20);
        System.out.printf("positives in the 15%% test part over 20 seeds (%.2f expected):%n", positives * 0.15);
        System.out.printf("  random split     : %s  (min %d, max %d)%n", Arrays.toString(counts[0]),
                Arrays.stream(counts[0]).min().orElseThrow(), Arrays.stream(counts[0]).max().orElseThrow());
        System.out.printf("  stratified split : %s  (min %d, max %d)%n", Arrays.toString(counts[1]),
                Arrays.stream(counts[1]).min().orElseThrow(), Arrays.stream(counts[1]).max().orElseThrow());

        System.out.printf("%nlogistic regression, stratified 5-fold cross-validation, %d epochs per fold:%n", EPOCHS);
        System.out.printf("  %-26s %5s %5s %5s %8s %10s%n", "training", "TP", "FN", "FP", "recall", "precision");
        for (Result r : compare(data).values()) {
            System.out.printf("  %-26s %5d %5d %5d %8.3f %10.3f%n", r.method(), r.truePositives(), r.falseNegatives(),
                    r.falsePositives(), r.recall(), r.precision());
        }
    }

    /** Digits 0-9 but 8 labelled 0, and 85 of the eights (a seeded choice) labelled 1: 95% / 5%. */
    static TensorDataset dataset() {
        TensorDataset all = Digits.load();
        int[] digits = all.targets().toIntArray();
        List<Integer> others = new ArrayList<>();
        List<Integer> eights = new ArrayList<>();
        for (int i = 0; i < digits.length; i++) {
            (digits[i] == POSITIVE_DIGIT ? eights : others).add(i);
        }
        int keep = (int) Math.round(others.size() * 5.0 / 95.0);
        int[] pick = Shuffle.permutation(eights.size(), 42, 0);
        int[] rows = new int[others.size() + keep];
        for (int i = 0; i < others.size(); i++) {
            rows[i] = others.get(i);
        }
        for (int j = 0; j < keep; j++) {
            rows[others.size() + j] = eights.get(pick[j]);
        }
        Arrays.sort(rows);
        TensorDataset kept = all.subset(rows);
        int[] y = Arrays.stream(kept.targets().toIntArray()).map(d -> d == POSITIVE_DIGIT ? 1 : 0).toArray();
        return new TensorDataset(kept.features(), Tensor.fromArray(y, y.length));
    }

    /** Positives in the test part of a random [0] and a stratified [1] 70/15/15 split, seeds 0..seeds-1. */
    static int[][] testPositives(int[] y, int seeds) {
        int[][] counts = new int[2][seeds];
        for (int s = 0; s < seeds; s++) {
            Split random = Splits.random(y.length, s);
            Split stratified = Splits.stratified(y, s);
            counts[0][s] = Arrays.stream(random.test()).map(i -> y[i]).sum();
            counts[1][s] = Arrays.stream(stratified.test()).map(i -> y[i]).sum();
        }
        return counts;
    }

    /** The four ways of training, each scored by the same stratified 5-fold cross-validation. */
    static Map<String, Result> compare(TensorDataset data) {
        int[] y = data.targets().toIntArray();
        List<Fold> folds = KFold.stratified(y, 5, 7);
        Map<String, Result> results = new LinkedHashMap<>();
        for (String method : List.of("plain", "balanced class weights", "weighted sampler", "SMOTE (k = 5)")) {
            ConfusionMatrix pooled = new ConfusionMatrix(2);
            for (int f = 0; f < folds.size(); f++) {
                TensorDataset train = folds.get(f).trainSet(data);
                TensorDataset validation = folds.get(f).validationSet(data);
                Sequential model = train(method, train, 100 + f);
                Tensor scores = Trainer.predict(model, DataLoader.builder(validation).batchSize(512).build());
                pooled.update(scores, validation.targets());
            }
            int[][] m = pooled.matrix();
            results.put(method, new Result(method, m[1][1], m[1][0], m[0][1], pooled.recallPerClass()[1],
                    pooled.precisionPerClass()[1]));
        }
        return results;
    }

    private static Sequential train(String method, TensorDataset train, long seed) {
        Seeds.set(seed);
        Sequential model = new Sequential(new Linear(Digits.FEATURES, 2));
        int[] y = train.targets().toIntArray();
        CrossEntropyLoss loss = new CrossEntropyLoss();
        DataLoader.Builder loader = DataLoader.builder(train).batchSize(32);
        switch (method) {
            case "plain" -> loader.shuffle(true).seed(seed);
            case "balanced class weights" -> {
                loss = loss.withWeights(ClassWeights.asFloats(ClassWeights.balanced(y, 2)));
                loader.shuffle(true).seed(seed);
            }
            case "weighted sampler" -> loader.sampler(new WeightedRandomSampler(
                    WeightedRandomSampler.sampleWeights(y, ClassWeights.balanced(y, 2)), y.length, true, seed));
            case "SMOTE (k = 5)" -> loader = DataLoader.builder(new Smote(seed).balance(train)).batchSize(32)
                    .shuffle(true).seed(seed);
            default -> throw new IllegalArgumentException("unknown method " + method);
        }
        SGD optimizer = new SGD(model.parameters(), 0.05, 0.9, 1e-4);
        new Trainer().fit(model, loss, optimizer, loader.build(), null, EPOCHS);
        return model;
    }
}
