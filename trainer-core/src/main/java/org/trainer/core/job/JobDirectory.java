package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The directory a training job reads and writes, laid out as SageMaker training lays out
 * {@code /opt/ml}:
 * <pre>
 *   input/config/hyperparameters.json   the hyperparameters: a JSON object of name to value
 *   input/config/job.json               stopping conditions, grace period, durable checkpoint copy
 *                                       ({@link JobConfiguration}; optional)
 *   input/data/&lt;channel&gt;/               one folder per data channel ("train", "validation", ...);
 *                                       the channel "model" holds an earlier artifact to start from
 *   model/                              the final artifacts (model.safetensors, optimizer.safetensors)
 *   output/data/                        metrics.json, history.json and anything else the job writes
 *   output/failure                      the error message, when the job fails
 *   output/status.json                  {"status": "Training" | "Completed" | "Failed" | "Interrupted" |
 *                                       "MaxRuntimeExceeded", ...}: where the job stands (see {@link TrainingJob})
 *   output/job.log                      the child JVM's stdout and stderr, when run as a child
 *   checkpoints/                        checkpoints, kept across restarts of the job
 * </pre>
 */
public final class JobDirectory {
    /** The channel that holds an earlier model artifact, for incremental training (SageMaker's name). */
    public static final String MODEL_CHANNEL = "model";

    private final Path root;

    private JobDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The layout under a root directory (nothing is created). */
    public static JobDirectory of(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("JobDirectory: root is null");
        }
        return new JobDirectory(root);
    }

    public Path root() {
        return root;
    }

    public Path hyperparametersFile() {
        return root.resolve("input/config/hyperparameters.json");
    }

    /** input/config/job.json: how the service runs the job ({@link JobConfiguration}). */
    public Path jobConfigurationFile() {
        return root.resolve("input/config/job.json");
    }

    /** input/data: the parent of the channels. */
    public Path dataDir() {
        return root.resolve("input/data");
    }

    /** input/data/&lt;name&gt; (which may not exist). */
    public Path channel(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("JobDirectory: channel name must be a plain folder name, got '"
                    + name + "'");
        }
        return dataDir().resolve(name);
    }

    /** The channels present: every folder under input/data, by name, sorted. */
    public Map<String, Path> channels() throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (Files.isDirectory(dataDir())) {
            try (Stream<Path> s = Files.list(dataDir())) {
                s.filter(Files::isDirectory).forEach(p -> out.put(p.getFileName().toString(), p));
            }
        }
        return out;
    }

    public Path modelDir() {
        return root.resolve("model");
    }

    public Path outputDir() {
        return root.resolve("output");
    }

    public Path outputDataDir() {
        return root.resolve("output/data");
    }

    public Path failureFile() {
        return root.resolve("output/failure");
    }

    /** output/status.json: the job's status, rewritten atomically as it changes. */
    public Path statusFile() {
        return root.resolve("output/status.json");
    }

    public Path logFile() {
        return root.resolve("output/job.log");
    }

    public Path checkpointDir() {
        return root.resolve("checkpoints");
    }

    /** Writes input/config/hyperparameters.json atomically (numbers, booleans and strings as JSON). */
    public JobDirectory writeHyperparameters(Map<String, ?> values) throws IOException {
        JsonFiles.writeObject(hyperparametersFile(), values);
        return this;
    }

    /** Writes input/config/job.json atomically. */
    public JobDirectory writeJobConfiguration(JobConfiguration configuration) throws IOException {
        JsonFiles.writeObject(jobConfigurationFile(), configuration.toMap());
        return this;
    }

    /** Creates model/, output/data/ and checkpoints/ (and the root) when absent. */
    void createOutputs() throws IOException {
        Files.createDirectories(modelDir());
        Files.createDirectories(outputDataDir());
        Files.createDirectories(checkpointDir());
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
