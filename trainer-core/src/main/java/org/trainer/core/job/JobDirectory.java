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
 *   input/data/&lt;channel&gt;/               one folder per data channel ("train", "validation", ...);
 *                                       the channel "model" holds an earlier artifact to start from
 *   model/                              the final artifacts (model.safetensors, optimizer.safetensors)
 *   output/data/                        metrics.json, history.json and anything else the job writes
 *   output/failure                      the error message, when the job fails
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

    /**
     * The layout under a root directory (nothing is created).
     *
     * @param root the root
     * @return the layout
     */
    public static JobDirectory of(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("JobDirectory: root is null");
        }
        return new JobDirectory(root);
    }

    /**
     * The root of the directory.
     *
     * @return the root
     */
    public Path root() {
        return root;
    }

    /**
     * input/config/hyperparameters.json.
     *
     * @return the file
     */
    public Path hyperparametersFile() {
        return root.resolve("input/config/hyperparameters.json");
    }

    /**
     * input/data: the parent of the channels.
     *
     * @return the folder
     */
    public Path dataDir() {
        return root.resolve("input/data");
    }

    /**
     * input/data/&lt;name&gt; (which may not exist).
     *
     * @param name the channel's name
     * @return its folder
     */
    public Path channel(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("JobDirectory: channel name must be a plain folder name, got '"
                    + name + "'");
        }
        return dataDir().resolve(name);
    }

    /**
     * The channels present: every folder under input/data, by name, sorted.
     *
     * @return the channels' folders by name
     * @throws IOException if input/data cannot be listed
     */
    public Map<String, Path> channels() throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (Files.isDirectory(dataDir())) {
            try (Stream<Path> s = Files.list(dataDir())) {
                s.filter(Files::isDirectory).forEach(p -> out.put(p.getFileName().toString(), p));
            }
        }
        return out;
    }

    /**
     * model/: the final artifacts.
     *
     * @return the folder
     */
    public Path modelDir() {
        return root.resolve("model");
    }

    /**
     * output/: the parent of data/, failure and job.log.
     *
     * @return the folder
     */
    public Path outputDir() {
        return root.resolve("output");
    }

    /**
     * output/data/: metrics.json, history.json and whatever else the job writes.
     *
     * @return the folder
     */
    public Path outputDataDir() {
        return root.resolve("output/data");
    }

    /**
     * output/failure: the error message of a failed job.
     *
     * @return the file
     */
    public Path failureFile() {
        return root.resolve("output/failure");
    }

    /**
     * output/job.log: the child JVM's stdout and stderr.
     *
     * @return the file
     */
    public Path logFile() {
        return root.resolve("output/job.log");
    }

    /**
     * checkpoints/: kept across restarts of the job.
     *
     * @return the folder
     */
    public Path checkpointDir() {
        return root.resolve("checkpoints");
    }

    /**
     * Writes input/config/hyperparameters.json atomically (numbers, booleans and strings as JSON).
     *
     * @param values the values by name
     * @return this directory
     * @throws IOException if the file cannot be written
     */
    public JobDirectory writeHyperparameters(Map<String, ?> values) throws IOException {
        JsonFiles.writeObject(hyperparametersFile(), values);
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
