/**
 * Checkpoints and resume: training runs that survive being killed.
 *
 * <p>{@link org.trainer.core.train.checkpoint.Checkpointing} says when and where a
 * {@link org.trainer.core.train.Trainer} writes checkpoints; with it set, {@code fit} resumes from
 * the newest good checkpoint in the directory, and the result is bitwise identical to a run that
 * never stopped (same seed, backend and thread count). A checkpoint holds the model's weights and
 * buffers, the optimizer's state, the position (epoch, batch, iteration), every mutable
 * random-number state (the dropout mask counters; shuffles and learning-rate schedules are pure
 * functions of the epoch and step), the history so far (with its findings), the partial sums and metric states of the
 * epoch in progress, the states of {@link org.trainer.core.train.checkpoint.Stateful} callbacks,
 * and metadata (library version, the run's settings, the caller's key-value pairs).
 *
 * <p>{@link org.trainer.core.train.checkpoint.CheckpointStore} gives the on-disk layout (a directory
 * per checkpoint: safetensors files, a JSON file and SHA-256 checksums), writes atomically (temporary
 * directory, fsync, rename), verifies on reading and falls back past a damaged checkpoint.
 */
package org.trainer.core.train.checkpoint;
