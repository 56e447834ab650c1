package org.trainer.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.optim.Adam;
import org.trainer.optim.SGD;

/**
 * The full-loop workloads of the peer harness ({@link FullLoop}; {@code full_loop} in peers.py): a
 * {@link TrainingModels} model, an optimizer and a batch size, trained on synthetic MNIST-shaped data.
 */
enum LoopWorkload {
    /** The MLP with SGD (lr 0.01, momentum 0.9) at batch 64. */
    MLP_SGD_B64(TrainingModels.MLP, "sgd", 64),
    /** The MLP with SGD (lr 0.01, momentum 0.9) at batch 256. */
    MLP_SGD_B256(TrainingModels.MLP, "sgd", 256),
    /** The MLP with Adam (lr 1e-3) at batch 128. */
    MLP_ADAM_B128(TrainingModels.MLP, "adam", 128),
    /** The CNN with SGD (lr 0.01, momentum 0.9) at batch 64. */
    CNN_SGD_B64(TrainingModels.CNN, "sgd", 64);

    final TrainingModels model;
    final String optimizer;
    final int batch;

    LoopWorkload(TrainingModels model, String optimizer, int batch) {
        this.model = model;
        this.optimizer = optimizer;
        this.batch = batch;
    }

    /** The name both sides print, e.g. {@code loop mlp sgd b64}; peers.py parses it back. */
    String workload() {
        return "loop " + model.name().toLowerCase(Locale.ROOT) + " " + optimizer + " b" + batch;
    }

    /** The optimizer over {@code parameters}, as peers.py builds torch's. */
    Function<List<Parameter>, Optimizer> optimizerFactory() {
        return optimizer.equals("adam") ? p -> new Adam(p, 1e-3) : p -> new SGD(p, 0.01, 0.9, 0);
    }

    /** The workload named {@code name} ({@link #workload()} or the constant's name, any case). */
    static LoopWorkload named(String name) {
        for (LoopWorkload w : values()) {
            if (w.workload().equalsIgnoreCase(name) || w.name().equalsIgnoreCase(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("LoopWorkload: unknown workload '" + name + "', expected one of "
                + List.of(values()));
    }
}
