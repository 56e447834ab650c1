package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.augment.GaussianNoise;
import org.trainer.core.data.augment.Mixup;
import org.trainer.core.data.augment.RandomCrop;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;

/** Evaluation refuses augmenting loaders; training with augmentation is reproducible for any worker count. */
class AugmentedTrainingTest {

    private static TensorDataset digits(int n) {
        TensorDataset all = Digits.load();
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        TensorDataset d = all.subset(first);
        return new TensorDataset(d.features().reshape(n, 1, 8, 8), d.targets());
    }

    @Test
    void evaluationPathsRefuseAnAugmentingSourceNamingTheArgument() {
        TensorDataset d = digits(40);
        Sequential model = new Sequential(new Flatten(), new Linear(64, 10));
        DataLoader plain = DataLoader.builder(d).batchSize(10).build();
        DataLoader noisy = DataLoader.builder(d).batchSize(10).augment(new GaussianNoise(0.1)).build();
        DataLoader mixed = DataLoader.builder(d).batchSize(10).augmentBatches(new Mixup(0.2, 10)).build();
        Trainer trainer = new Trainer();
        CrossEntropyLoss loss = new CrossEntropyLoss();
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(model, loss, noisy));
        assertTrue(e.getMessage().startsWith("evaluate: data augments its batches"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.predict(model, mixed));
        assertTrue(e.getMessage().startsWith("predict: data augments its batches"), e.getMessage());
        Optimizerless opt = new Optimizerless(model);
        e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(model, loss, opt.gd, plain, noisy, 1));
        assertTrue(e.getMessage().startsWith("fit: validation augments its batches"), e.getMessage());
        assertTrue(e.getMessage().contains("GaussianNoise"), "names the pipeline: " + e.getMessage());
        // the same data without augmentation is fine everywhere, and an augmenting training loader too
        assertEquals(1, trainer.fit(model, loss, opt.gd, noisy, plain, 1).epochCount());
        assertEquals(40, Trainer.predict(model, plain).size(0));
    }

    private static final class Optimizerless {
        final Optimizer gd;

        Optimizerless(Sequential model) {
            gd = TrainerTest.gd(model.parameters(), 0.1);
        }
    }

    private static float[] trainedWeights(int workers) {
        Seeds.set(7);
        TensorDataset d = digits(200);
        Sequential model = new Sequential(new Flatten(), new Linear(64, 10));
        DataLoader train = DataLoader.builder(d).batchSize(16).shuffle(true).seed(3).workers(workers)
                .augment(new RandomCrop(8, 8, 1)).augmentBatches(new Mixup(0.4, 10)).build();
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        History h = trainer.fit(model, new CrossEntropyLoss(), TrainerTest.gd(model.parameters(), 0.5), train,
                DataLoader.builder(d).batchSize(50).build(), 5);
        assertTrue(h.get("loss").get(4) < h.get("loss").get(0), "training on mixed soft labels lowers the loss: "
                + h.get("loss"));
        assertTrue(h.get("accuracy").get(4) > h.get("accuracy").get(0) + 0.2 && h.get("val_accuracy").get(4) > 0.5, "accuracy against the dominant label: " + h);
        return model.parameters().stream().map(Parameter::value).map(Tensor::toFloatArray)
                .reduce(new float[0], (a, b) -> {
                    float[] c = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                });
    }

    @Test
    void augmentedTrainingGivesBitwiseIdenticalWeightsForAnyWorkerCount() {
        float[] w0 = trainedWeights(0);
        assertArrayEquals(w0, trainedWeights(1));
        assertArrayEquals(w0, trainedWeights(3));
    }
}
