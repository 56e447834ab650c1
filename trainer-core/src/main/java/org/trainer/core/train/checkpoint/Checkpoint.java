package org.trainer.core.train.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.trainer.core.Tensor;

/**
 * One saved moment of a training run: where it stood and everything needed to go on from there.
 *
 * <p><b>Position.</b> {@link #epoch()} and {@link #batch()} name the next batch to train (0-based):
 * a checkpoint taken at the end of epoch 2 is at (3, 0); one taken after 12 batches of epoch 3 is at
 * (3, 12). {@link #iteration()} counts the optimizer steps taken over the whole run and
 * {@link #samplesSeen()} the training samples.
 *
 * <p><b>Contents.</b> Three maps of tensors: {@link #model()} (the model's parameters and buffers
 * by dotted name, as {@code Module.stateDict()}), {@link #optimizer()} (as
 * {@code Optimizer.stateDict()}) and {@link #state()} (the rest of the run's numbers: history,
 * partial sums of the epoch in progress, metric and callback states); and {@link #info()}, a small
 * tree of strings, whole numbers and booleans (random-number counters, settings, the caller's
 * metadata). Numbers that are not whole are kept in tensors only, so they survive bitwise.
 *
 * <p>A Checkpoint is immutable; the maps are the caller's tensors, not copies.
 */
public final class Checkpoint {
    private final int epoch;
    private final int batch;
    private final long iteration;
    private final long samplesSeen;
    private final Map<String, Tensor> model;
    private final Map<String, Tensor> optimizer;
    private final Map<String, Tensor> state;
    private final Map<String, Object> info;
    private final String libraryVersion;
    private final Path path;

    /**
     * A checkpoint at a position, with its contents.
     *
     * @param epoch the epoch of the next batch to train
     * @param batch the next batch to train within that epoch
     * @param iteration optimizer steps taken before
     * @param samplesSeen training samples seen before
     * @param model the model's state dict
     * @param optimizer the optimizer's state dict
     * @param state the run's other numbers
     * @param info values must be String, Integer, Long, Boolean or nested maps of the same
     * @throws IllegalArgumentException for a negative position
     */
    public Checkpoint(int epoch, int batch, long iteration, long samplesSeen, Map<String, Tensor> model,
                      Map<String, Tensor> optimizer, Map<String, Tensor> state, Map<String, ?> info) {
        this(epoch, batch, iteration, samplesSeen, model, optimizer, state, info, LibraryVersion.get(), null);
    }

    Checkpoint(int epoch, int batch, long iteration, long samplesSeen, Map<String, Tensor> model,
               Map<String, Tensor> optimizer, Map<String, Tensor> state, Map<String, ?> info, String libraryVersion,
               Path path) {
        if (epoch < 0 || batch < 0 || iteration < 0 || samplesSeen < 0) {
            throw new IllegalArgumentException("Checkpoint: epoch, batch, iteration and samplesSeen must be >= 0, got "
                    + epoch + ", " + batch + ", " + iteration + ", " + samplesSeen);
        }
        this.epoch = epoch;
        this.batch = batch;
        this.iteration = iteration;
        this.samplesSeen = samplesSeen;
        this.model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        this.optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
        this.state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
        this.info = Collections.unmodifiableMap(new LinkedHashMap<>(info));
        this.libraryVersion = libraryVersion;
        this.path = path;
    }

    /**
     * The epoch of the next batch to train, 0-based.
     *
     * @return the epoch
     */
    public int epoch() {
        return epoch;
    }

    /**
     * The index, within {@link #epoch()}, of the next batch to train: 0 at an epoch boundary.
     *
     * @return the batch index
     */
    public int batch() {
        return batch;
    }

    /**
     * Optimizer steps taken before this checkpoint.
     *
     * @return the steps taken
     */
    public long iteration() {
        return iteration;
    }

    /**
     * Training samples seen before this checkpoint.
     *
     * @return the samples seen
     */
    public long samplesSeen() {
        return samplesSeen;
    }

    /**
     * The model's parameters and buffers by dotted name.
     *
     * @return the model's state
     */
    public Map<String, Tensor> model() {
        return model;
    }

    /**
     * The optimizer's state dict.
     *
     * @return the optimizer's state
     */
    public Map<String, Tensor> optimizer() {
        return optimizer;
    }

    /**
     * The run's other numbers (history, partial sums, metric and callback states).
     *
     * @return the run's state
     */
    public Map<String, Tensor> state() {
        return state;
    }

    /**
     * Strings, whole numbers (Long once read back), booleans and nested maps of the same.
     *
     * @return the info
     */
    public Map<String, Object> info() {
        return info;
    }

    /**
     * The version of the library that wrote the checkpoint ("unknown" outside a built jar).
     *
     * @return the version
     */
    public String libraryVersion() {
        return libraryVersion;
    }

    /**
     * The directory the checkpoint was read from or written to; empty for one only in memory.
     *
     * @return the directory, or empty
     */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    Checkpoint at(Path p) {
        return new Checkpoint(epoch, batch, iteration, samplesSeen, model, optimizer, state, info, libraryVersion, p);
    }

    /** The directory name of this position: {@code epoch-EEEEE-batch-BBBBBBB}. */
    String name() {
        return CheckpointStore.name(epoch, batch);
    }

    @Override
    public String toString() {
        return "Checkpoint(epoch " + epoch + ", batch " + batch + ", iteration " + iteration
                + (path == null ? "" : ", " + path) + ")";
    }
}
