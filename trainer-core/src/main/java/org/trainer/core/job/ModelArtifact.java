package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Optimizer;

/**
 * A trained model as a job leaves it in {@code model/}: {@code model.safetensors} (the model's state
 * by dotted name) and, optionally, {@code optimizer.safetensors} (the optimizer's state dict), so a
 * later job can start from it and continue on new data (incremental training) with or without the
 * optimizer's moments.
 */
public final class ModelArtifact {
    public static final String WEIGHTS = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";

    private final Path dir;

    private ModelArtifact(Path dir) {
        this.dir = dir;
    }

    /** Writes the model's state and, when {@code optimizer} is not null, its state; each file atomically. */
    public static ModelArtifact save(Path dir, Module model, Optimizer optimizer) throws IOException {
        if (model == null) {
            throw new IllegalArgumentException("ModelArtifact.save: model is null");
        }
        Files.createDirectories(dir);
        Safetensors.save(model.stateDict(), Map.of("format", "trainer-model"), dir.resolve(WEIGHTS));
        if (optimizer != null) {
            Safetensors.save(optimizer.stateDict(), Map.of("format", "trainer-optimizer"), dir.resolve(OPTIMIZER));
        }
        return new ModelArtifact(dir);
    }

    /** Writes a model's and an optimizer's state dicts (a checkpoint's, for one) as {@link #save} does. */
    static ModelArtifact save(Path dir, Map<String, Tensor> model, Map<String, Tensor> optimizer) throws IOException {
        Files.createDirectories(dir);
        Safetensors.save(model, Map.of("format", "trainer-model"), dir.resolve(WEIGHTS));
        Safetensors.save(optimizer, Map.of("format", "trainer-optimizer"), dir.resolve(OPTIMIZER));
        return new ModelArtifact(dir);
    }

    /** An artifact directory written by {@link #save}; it must hold model.safetensors. */
    public static ModelArtifact open(Path dir) {
        if (!Files.isRegularFile(dir.resolve(WEIGHTS))) {
            throw new JobConfigurationException("model artifact " + dir + " has no " + WEIGHTS);
        }
        return new ModelArtifact(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The saved model state by dotted name. */
    public Map<String, Tensor> weights() throws IOException {
        return Safetensors.read(dir.resolve(WEIGHTS));
    }

    /** Loads the saved state into a model of the same architecture (every name and shape must match). */
    public void loadInto(Module model) throws IOException {
        model.loadStateDict(weights(), true);
    }

    public boolean hasOptimizerState() {
        return Files.isRegularFile(dir.resolve(OPTIMIZER));
    }

    /** Restores the saved optimizer state into an optimizer over the same parameters, in the same order. */
    public void loadOptimizerState(Optimizer optimizer) throws IOException {
        if (!hasOptimizerState()) {
            throw new JobConfigurationException("model artifact " + dir + " has no " + OPTIMIZER);
        }
        optimizer.loadStateDict(Safetensors.read(dir.resolve(OPTIMIZER)));
    }

    @Override
    public String toString() {
        return "ModelArtifact(" + dir + ")";
    }
}
