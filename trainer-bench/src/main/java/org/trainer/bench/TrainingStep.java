package org.trainer.bench;

import java.util.List;
import java.util.function.Function;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.optim.SGD;

/**
 * One training step as {@link org.trainer.core.train.Trainer} runs it: forward, cross-entropy,
 * backward inside a memory scope, then an SGD-momentum update (or the optimizer given); on a fixed
 * random batch of Fashion-MNIST-shaped images [batch, 1, 28, 28] with labels 0..9.
 */
final class TrainingStep {
    private final Sequential model;
    private final Optimizer optimizer;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();
    private final MemoryScope.Pool pool = new MemoryScope.Pool();
    private final Tensor x;
    private final Tensor y;

    /** With SGD, learning rate 0.01, momentum 0.9. */
    TrainingStep(TrainingModels kind, int batch, long seed) {
        this(kind, batch, seed, params -> new SGD(params, 0.01, 0.9, 0));
    }

    TrainingStep(TrainingModels kind, int batch, long seed, Function<List<Parameter>, Optimizer> optimizer) {
        Seeds.set(seed);
        model = kind.build();
        this.optimizer = optimizer.apply(model.parameters());
        x = Tensor.randn(seed, batch, 1, 28, 28);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 10;
        }
        y = Tensor.fromArray(labels, batch);
    }

    /** Runs one step and returns the loss. */
    double run() {
        double value;
        try (MemoryScope step = MemoryScope.open(pool)) {
            Tensor l = loss.compute(model.forward(x), y);
            optimizer.zeroGrad();
            l.backward();
            value = l.item();
        }
        optimizer.step();
        return value;
    }

    /** Bytes of the step's tensors: parameters, their gradients and momentum, the batch, and the pooled intermediates. */
    long tensorBytes() {
        long params = model.parameters().stream().mapToLong(p -> p.numel() * 4L).sum();
        return 3 * params + x.numel() * 4L + y.numel() * 4L + pool.bytes();
    }
}
