package org.trainer.core.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.trainer.core.data.RecordSource;
import org.trainer.core.monitor.FindingsSink;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.StopRequest;

/**
 * What a running {@link JobDefinition} sees: its typed hyperparameters, its data channels and the
 * directories it writes. Metrics and history go to {@code output/data/metrics.json} and
 * {@code output/data/history.json} (and the findings of rules watching the run to
 * {@code output/data/findings.json}), rewritten atomically on every report so that a job that dies
 * later still leaves its last figures behind.
 */
public final class JobContext implements FindingsSink {
    private final JobDirectory dir;
    private final Hyperparameters hyperparameters;
    private final Map<String, Path> channels;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private final StopRequest stopRequest;

    JobContext(JobDirectory dir, Hyperparameters hyperparameters, Map<String, Path> channels) {
        this(dir, hyperparameters, channels, new StopRequest());
    }

    JobContext(JobDirectory dir, Hyperparameters hyperparameters, Map<String, Path> channels, StopRequest stop) {
        this.stopRequest = stop;
        this.dir = dir;
        this.hyperparameters = hyperparameters;
        this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
    }

    /**
     * The job's validated hyperparameters.
     *
     * @return the hyperparameters
     */
    public Hyperparameters hyperparameters() {
        return hyperparameters;
    }

    /**
     * The data channels present, by name: folders input/data/&lt;name&gt;, and pipe channels
     * (named pipes input/data/&lt;name&gt;_&lt;epoch&gt;), which map to the prefix input/data/&lt;name&gt;;
     * see {@link JobDirectory#channels()} and {@link #records(String)}.
     */
    public Map<String, Path> channels() {
        return channels;
    }

    /** Whether a channel present is a pipe channel (named pipes per epoch) rather than a folder. */
    public boolean isPipeChannel(String name) {
        return !Files.isDirectory(channel(name));
    }

    /**
     * The bytes of a pipe channel, epoch by epoch: epoch e reads the named pipe
     * input/data/&lt;name&gt;_&lt;e&gt;, for a streaming format (CSV, binary, IDX records) under a
     * {@code StreamingLoader}, which tells each pass its epoch.
     *
     * @throws JobConfigurationException if there is no such channel, or it is a folder
     */
    public RecordSource records(String name) {
        if (!isPipeChannel(name)) {
            throw new JobConfigurationException("channel '" + name + "' is a folder (" + channel(name)
                    + "), not a pipe channel; read its files instead");
        }
        return RecordSource.perEpoch(channel(name));
    }

    public boolean hasChannel(String name) {
        return channels.containsKey(name);
    }

    /** The folder of a channel, which must exist (for a pipe channel, the prefix of its pipes). */
    public Path channel(String name) {
        Path p = channels.get(name);
        if (p == null) {
            throw new JobConfigurationException("no data channel '" + name + "' (expected the folder input/data/"
                    + name + "); channels present: " + List.copyOf(channels.keySet()));
        }
        return p;
    }

    /**
     * The artifact to start from, for incremental training or fine-tuning: the "model" channel, when
     * the job has one (its folder must hold model.safetensors).
     *
     * @return the artifact, or empty
     */
    public Optional<ModelArtifact> initialModel() {
        Path p = channels.get(JobDirectory.MODEL_CHANNEL);
        return p == null ? Optional.empty() : Optional.of(ModelArtifact.open(p));
    }

    /**
     * The job's directory.
     *
     * @return the directory
     */
    public JobDirectory directory() {
        return dir;
    }

    /**
     * model/: where the final artifacts go.
     *
     * @return model/
     */
    public Path modelDir() {
        return dir.modelDir();
    }

    /**
     * output/data/: metrics, history and any other outputs.
     *
     * @return output/data/
     */
    public Path outputDataDir() {
        return dir.outputDataDir();
    }

    /**
     * checkpoints/: kept across restarts of the job; where its checkpoints go.
     *
     * @return checkpoints/
     */
    public Path checkpointDir() {
        return dir.checkpointDir();
    }

    /**
     * Checkpoint settings over checkpoints/ (each epoch, the last 3 kept, until changed), for
     * {@code trainer.checkpoints(ctx.checkpointing().build())}: a job run again over the same
     * directory after a crash or a kill then resumes from its newest good checkpoint. They carry the
     * job's {@link #stopRequest()}, so that an interruption notice or the end of max_run makes the
     * fit checkpoint after its current step and stop.
     */
    public Checkpointing.Builder checkpointing() {
        return Checkpointing.builder(checkpointDir()).stopRequest(stopRequest);
    }

    /**
     * The request that the job's fit checkpoint and stop: made on the interruption notice (SIGTERM)
     * or when max_run runs out; a job that trains without {@link #checkpointing()} may poll it.
     */
    public StopRequest stopRequest() {
        return stopRequest;
    }

    /**
     * Saves the final model (and the optimizer's state, when not null) to model/.
     *
     * @param model the trained model
     * @param optimizer its optimizer, or null
     * @return the saved artifact
     * @throws IOException if the files cannot be written
     */
    public ModelArtifact saveModel(Module model, Optimizer optimizer) throws IOException {
        return ModelArtifact.save(modelDir(), model, optimizer);
    }

    /**
     * Records a final figure (e.g. "val_accuracy") and rewrites output/data/metrics.json.
     *
     * @param name the figure's name
     * @param value its value
     * @throws IOException if metrics.json cannot be written
     */
    public synchronized void reportMetric(String name, double value) throws IOException {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("reportMetric: name must be non-empty, got '" + name + "'");
        }
        metrics.put(name, value);
        JsonFiles.writeObject(outputDataDir().resolve("metrics.json"), metrics);
    }

    /**
     * The figures reported so far.
     *
     * @return the figures by name
     */
    public synchronized Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /**
     * Writes a fit's per-epoch figures to output/data/history.json: {"loss": [...], "val_loss": [...]}.
     *
     * @param history the fit's history
     * @throws IOException if history.json cannot be written
     */
    public void recordHistory(History history) throws IOException {
        Files.createDirectories(outputDataDir());
        JsonFiles.write(outputDataDir().resolve("history.json"), g -> {
            g.writeStartObject();
            for (Map.Entry<String, List<Double>> e : history.all().entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (double v : e.getValue()) {
                    JsonFiles.scalar(g, v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    /**
     * Writes the findings of the rules that watched a fit to output/data/findings.json, atomically:
     * {"findings": [{"rule", "severity", "epoch", "iteration", "message", "values": {...}}, ...]}.
     *
     * @param history the fit's history
     * @throws IOException if findings.json cannot be written
     */
    @Override
    public synchronized void recordFindings(History history) throws IOException {
        List<Finding> findings = history.findings();
        JsonFiles.write(outputDataDir().resolve("findings.json"), g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("findings");
            for (Finding f : findings) {
                g.writeStartObject();
                g.writeStringField("rule", f.rule());
                g.writeStringField("severity", f.severity().name());
                g.writeNumberField("epoch", f.epoch());
                g.writeNumberField("iteration", f.iteration());
                g.writeStringField("message", f.message());
                g.writeObjectFieldStart("values");
                for (Map.Entry<String, Double> v : f.values().entrySet()) {
                    g.writeFieldName(v.getKey());
                    JsonFiles.scalar(g, v.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
