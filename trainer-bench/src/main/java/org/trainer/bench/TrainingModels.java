package org.trainer.bench;

import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Sequential;

/** The Fashion-MNIST models that the training-step benchmarks and the peer harness time. */
public enum TrainingModels {
    /** 784-512-256-10 with ReLU. */
    MLP {
        @Override
        public Sequential build() {
            return new Sequential(new Flatten(),
                    new Linear(784, 512), new Activation.ReLU(),
                    new Linear(512, 256), new Activation.ReLU(),
                    new Linear(256, 10));
        }
    },
    /** conv 5x5 32 -> pool 2 -> conv 5x5 64 -> pool 2 -> 1024-256-10. */
    CNN {
        @Override
        public Sequential build() {
            return new Sequential(
                    new Conv2d(1, 32, 5), new Activation.ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 5), new Activation.ReLU(), new MaxPool2d(2),
                    new Flatten(),
                    new Linear(64 * 4 * 4, 256), new Activation.ReLU(),
                    new Linear(256, 10));
        }
    };

    public abstract Sequential build();
}
