/**
 * Pipeline model parallelism (GPipe): a {@link org.trainer.core.nn.Sequential} cut into stages, one
 * per rank of a {@link org.trainer.distributed.Collective}, each mini-batch run as micro-batches.
 * {@link org.trainer.distributed.pipeline.Pipeline} is one rank's part; it trains like the unsplit
 * model (same gradients, up to rounding). {@link org.trainer.distributed.pipeline.LocalPipeline}
 * runs all stages on threads of one JVM, e.g. one per GPU of a machine.
 */
package org.trainer.distributed.pipeline;
