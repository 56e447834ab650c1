package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 *   input/data/&lt;channel&gt;_&lt;epoch&gt;         or, in pipe mode, one named pipe (FIFO) per epoch
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

    /** A pipe channel's per-epoch file name: the channel, an underscore, the epoch. */
    private static final Pattern PIPE = Pattern.compile("(.+)_(\\d+)");

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

    /** input/config/job.json: how the service runs the job ({@link JobConfiguration}). */
    public Path jobConfigurationFile() {
        return root.resolve("input/config/job.json");
    }

    /** input/data: the parent of the channels. */
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
     * The channels present, by name, sorted: every folder under input/data, and every pipe channel.
     * A pipe channel is a named pipe (FIFO) {@code <name>_<epoch>} (SageMaker's pipe mode creates
     * {@code train_0}, then {@code train_1}, ...); it maps to {@code input/data/<name>}, the
     * prefix that {@link org.trainer.core.data.RecordSource#perEpoch(Path)} appends the epoch to,
     * which is not itself a file. A folder of the same name wins over pipes.
     */
    public Map<String, Path> channels() throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (Files.isDirectory(dataDir())) {
            try (Stream<Path> s = Files.list(dataDir())) {
                s.forEach(p -> addChannel(out, p));
            }
        }
        return out;
    }

    private void addChannel(Map<String, Path> out, Path p) {
        String file = p.getFileName().toString();
        if (Files.isDirectory(p)) {
            out.put(file, p);
            return;
        }
        Matcher m = PIPE.matcher(file);
        if (m.matches() && isPipe(p)) {
            out.putIfAbsent(m.group(1), dataDir().resolve(m.group(1)));
        }
    }

    /**
     * Whether {@code name} is a pipe channel: input/data/&lt;name&gt; is no folder, and a FIFO
     * &lt;name&gt;_&lt;epoch&gt; exists.
     */
    public boolean isPipeChannel(String name) throws IOException {
        Path folder = channel(name);
        if (Files.isDirectory(folder) || !Files.isDirectory(dataDir())) {
            return false;
        }
        try (Stream<Path> s = Files.list(dataDir())) {
            return s.anyMatch(p -> {
                Matcher m = PIPE.matcher(p.getFileName().toString());
                return m.matches() && m.group(1).equals(name) && isPipe(p);
            });
        }
    }

    /** A pipe channel's named pipe for one epoch: input/data/&lt;name&gt;_&lt;epoch&gt; (which may not exist yet). */
    public Path pipe(String name, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("JobDirectory: epoch must be >= 0, got " + epoch);
        }
        return dataDir().resolve(channel(name).getFileName() + "_" + epoch);
    }

    /** A FIFO (or another special file a writer streams into): neither a folder nor a regular file. */
    private static boolean isPipe(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).isOther();
        } catch (IOException e) {
            return false; // gone since it was listed
        }
    }

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

    /** output/status.json: the job's status, rewritten atomically as it changes. */
    public Path statusFile() {
        return root.resolve("output/status.json");
    }

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
