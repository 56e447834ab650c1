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
    /** The file name of the model's state. */
    public static final String WEIGHTS = "model.safetensors";
    /** The file name of the optimizer's state. */
    public static final String OPTIMIZER = "optimizer.safetensors";

    private final Path dir;

    private ModelArtifact(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes the model's state and, when {@code optimizer} is not null, its state; each file atomically.
     *
     * @param dir the artifact's directory
     * @param model the model
     * @param optimizer its optimizer, or null
     * @return the artifact
     * @throws IOException if a file cannot be written
     */
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

    /**
     * The directory holding the files.
     *
     * @return the directory
     */
    public Path dir() {
        return dir;
    }

    /**
     * The saved model state by dotted name.
     *
     * @return the state
     * @throws IOException if model.safetensors cannot be read
     */
    public Map<String, Tensor> weights() throws IOException {
        return Safetensors.read(dir.resolve(WEIGHTS));
    }

    /**
     * Loads the saved state into a model of the same architecture (every name and shape must match).
     *
     * @param model the model, modified
     * @throws IOException if model.safetensors cannot be read
     */
    public void loadInto(Module model) throws IOException {
        model.loadStateDict(weights(), true);
    }

    /**
     * Whether the artifact holds the optimizer's state.
     *
     * @return whether there is an optimizer state
     */
    public boolean hasOptimizerState() {
        return Files.isRegularFile(dir.resolve(OPTIMIZER));
    }

    /**
     * Restores the saved optimizer state into an optimizer over the same parameters, in the same order.
     *
     * @param optimizer the optimizer, modified
     * @throws IOException if optimizer.safetensors cannot be read
     */
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
