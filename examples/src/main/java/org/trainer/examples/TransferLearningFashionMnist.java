package org.trainer.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;
import org.trainer.core.train.Trainer;
import org.trainer.core.transfer.FineTuning;
import org.trainer.core.transfer.NameMap;
import org.trainer.core.transfer.ParameterGroups;
import org.trainer.core.transfer.PretrainedWeights;
import org.trainer.optim.SGD;

/**
 * Transfer learning on Fashion-MNIST. A small CNN is pre-trained on classes 0-4 (T-shirt, trouser,
 * pullover, dress, coat) and saved; then classes 5-9 (sandal, shirt, sneaker, bag, ankle boot) are
 * learnt from only 1,000 training images, three ways, each with a new 5-way head:
 * <ol>
 *   <li>from scratch: the same network, freshly initialised, everything trained;</li>
 *   <li>feature extraction: the pre-trained body loaded and frozen, only the head trained;</li>
 *   <li>fine-tuning: the pre-trained body trained too, at a tenth of the head's learning rate.</li>
 * </ol>
 * Prints the three accuracies on the 5,000 test images of classes 5-9. Data as in
 * {@link FashionMnistMlp}.
 */
public final class TransferLearningFashionMnist {
    private static final int HEAD = 9;
    private static final int FEW = 1000;

    private TransferLearningFashionMnist() {
    }

    /** conv-relu-pool x2, then a 64-unit dense layer; module 9 is the head. */
    static Sequential model(int classes) {
        return new Sequential(
                new Conv2d(1, 16, 3, 1, 1), new Activation.ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), new Activation.ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(32 * 7 * 7, 64), new Activation.ReLU(),
                new Linear(64, classes));
    }

    /** The samples whose label is in [from, from + 5), relabelled to 0-4, at most {@code limit} of them. */
    static TensorDataset classes(TensorDataset data, int from, int limit) {
        int[] y = data.targets().toIntArray();
        int[] idx = IntStream.range(0, y.length).filter(i -> y[i] >= from && y[i] < from + 5).limit(limit).toArray();
        TensorDataset sub = data.subset(idx);
        int[] relabelled = sub.targets().toIntArray();
        for (int i = 0; i < relabelled.length; i++) {
            relabelled[i] -= from;
        }
        return new TensorDataset(sub.features(), Tensor.fromArray(relabelled, relabelled.length));
    }

    public static void main(String[] args) throws IOException {
        FashionMnist data = FashionMnist.load(args);
        TensorDataset train = FashionMnist.NORMALIZE.apply(data.train());
        TensorDataset test = FashionMnist.NORMALIZE.apply(data.test());
        Seeds.set(1);
        long start = System.nanoTime();

        // 1. Pre-train on classes 0-4 and save the weights.
        TensorDataset source = classes(train, 0, Integer.MAX_VALUE);
        Sequential pretrained = model(5);
        DataLoader sourceLoader = DataLoader.builder(source).batchSize(64).shuffle(true).seed(1).prefetch(2).build();
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        trainer.fit(pretrained, new CrossEntropyLoss(), new SGD(pretrained.parameters(), 0.02, 0.9, 0), sourceLoader,
                null, 2);
        double sourceAccuracy = trainer.evaluate(pretrained, new CrossEntropyLoss(),
                DataLoader.builder(classes(test, 0, Integer.MAX_VALUE)).batchSize(500).build()).get("accuracy");
        Path weights = Files.createTempFile("pretrained-0-4", ".safetensors");
        Safetensors.save(pretrained, weights);
        System.out.printf("pre-trained on classes 0-4: %d images, 2 epochs, test accuracy %.4f (%.0f s)%n",
                source.size(), sourceAccuracy, (System.nanoTime() - start) / 1e9);

        // 2. Classes 5-9 from 1,000 images, three ways.
        TensorDataset few = classes(train, 5, FEW);
        DataLoader target = DataLoader.builder(classes(test, 5, Integer.MAX_VALUE)).batchSize(500).build();
        int epochs = 15;

        Sequential scratch = model(5);
        double a = fit(scratch, new SGD(scratch.parameters(), 0.02, 0.9, 0), few, target, epochs);

        Sequential frozen = fromPretrained(weights);
        FineTuning.freezeAllBut(frozen, String.valueOf(HEAD));
        double b = fit(frozen, new SGD(frozen.parameters(), 0.02, 0.9, 0), few, target, epochs);

        Sequential tuned = fromPretrained(weights);
        List<ParameterGroup> groups = ParameterGroups.of(tuned).add(String.valueOf(HEAD), 0.02).rest(0.002).build();
        double c = fit(tuned, new SGD(groups, 0.9, 0, false), few, target, epochs);
        Files.deleteIfExists(weights);

        System.out.printf("classes 5-9 from %d training images, %d epochs, test accuracy on %d images:%n", few.size(),
                epochs, target.dataset().size());
        System.out.printf("  from scratch                          %.4f%n", a);
        System.out.printf("  feature extraction (frozen body)      %.4f%n", b);
        System.out.printf("  fine-tuning (body at lr/10)           %.4f%n", c);
        System.out.printf("total %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** The pre-trained body (the old head dropped) and a new 5-way head. */
    private static Sequential fromPretrained(Path weights) throws IOException {
        Sequential m = model(5);
        FineTuning.replace(m, String.valueOf(HEAD), new Linear(64, 5));
        PretrainedWeights.load(m, weights, new NameMap().drop(HEAD + "."));
        return m;
    }

    private static double fit(Sequential model, Optimizer optimizer, TensorDataset train, DataLoader test, int epochs) {
        DataLoader loader = DataLoader.builder(train).batchSize(32).shuffle(true).seed(2).build();
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        trainer.fit(model, new CrossEntropyLoss(), optimizer, loader, null, epochs);
        return trainer.evaluate(model, new CrossEntropyLoss(), test).get("accuracy");
    }
}
