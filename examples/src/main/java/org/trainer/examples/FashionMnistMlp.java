package org.trainer.examples;

import java.io.IOException;

import org.trainer.core.data.FashionMnist;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;

/**
 * Fashion-MNIST with a 784-512-256-10 ReLU MLP and SGD with momentum: 0.898 test accuracy
 * after 10 epochs. The data comes from a directory given as the first argument, the
 * FASHION_MNIST_DIR environment variable, or Debian's dataset-fashion-mnist package.
 */
public final class FashionMnistMlp {
    private FashionMnistMlp() {
    }

    /** The network: 784-512-256-10 with ReLU. */
    public static Sequential model() {
        return new Sequential(new Flatten(),
                new Linear(784, 512), new Activation.ReLU(),
                new Linear(512, 256), new Activation.ReLU(),
                new Linear(256, 10));
    }

    public static void main(String[] args) throws IOException {
        FashionMnist data = FashionMnist.load(args);
        Seeds.set(1);
        FashionMnistTraining.run("FashionMnistMlp", model(), data, 10, 7);
    }
}
