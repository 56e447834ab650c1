package org.trainer.distributed;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.GradientSynchronizer;

/**
 * Data parallelism, as PyTorch's {@code DistributedDataParallel}: every rank holds a replica of the
 * model, trains on its own shard of each batch ({@link DistributedSampler}), and after each backward
 * pass every trainable parameter's gradient is replaced by its mean over the ranks, so that every
 * rank takes the same optimizer step, the step of one process on the ranks' batches together.
 *
 * <p><b>Start.</b> The constructor broadcasts rank 0's parameters and buffers to every rank, so
 * the replicas start equal whatever each rank initialized.
 *
 * <p><b>Buckets.</b> Trainable parameters are grouped, in reverse registration order (the order in
 * which a backward pass usually finishes their gradients), into buckets of at most
 * {@code bucketBytes} bytes (25 MiB by default; the first at most 1 MiB) of one dtype. When the backward pass has
 * accumulated the gradient of every parameter of the next bucket in line, the bucket's gradients are
 * copied into one flat array and handed to a communication thread, which all-reduces it while the
 * backward pass goes on with the earlier layers; buckets are reduced in bucket order on every rank,
 * so the ranks' collective calls always match. When the pass ends, the thread that ran it waits for
 * those reductions and then reduces the buckets not yet sent itself: the last bucket (complete only
 * when nothing of the pass remains to overlap) and those with a parameter the pass did not reach,
 * which counts as a zero gradient. The means are then written back into the gradients. The sums are the collective's,
 * bitwise the same on every rank, so replicas stay bitwise identical step after step.
 *
 * <p><b>Buffers.</b> In training mode each forward first broadcasts rank 0's buffers (batch-norm
 * running statistics), as PyTorch does by default.
 *
 * <p><b>Accumulation.</b> Inside {@link #noSync()} backward passes keep gradients local; the first
 * pass after it reduces the accumulated sums. {@code Trainer.accumulateGradients(k)} uses it.
 *
 * <p>The wrapped model is registered as the sub-module "module", so state names carry the prefix
 * {@code module.} as in PyTorch; save {@link #module()}'s state to drop it. One thread drives a
 * replica (forward and backward); the wrapper owns one communication thread, released by
 * {@link #close()}.
 */
public final class DistributedDataParallel extends Module implements GradientSynchronizer, AutoCloseable {
    /** The default bucket size: 25 MiB, PyTorch's. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;
    /**
     * The first bucket (the last layers' gradients, ready first) holds at most 1 MiB, as PyTorch's
     * does: it is sent early, while the backward pass works through the larger earlier layers.
     */
    public static final long FIRST_BUCKET_BYTES = 1L << 20;

    private final Module module;
    private final Collective collective;
    private final long bucketBytes;
    private final ExecutorService comm;
    private final Consumer<Tensor> hook = this::gradientReady;

    /** The parameter values the hook is on, with their bucket and place: rebuilt when they change. */
    private final Map<Tensor, Slot> slots = new IdentityHashMap<>();
    private final List<Bucket> buckets = new ArrayList<>();
    private boolean local;
    private boolean passOpen;
    private int nextToSend;
    private String broken;

    /**
     * Wraps {@code module} with the default bucket size; see {@link #DistributedDataParallel(Module, Collective,
     * long)}.
     *
     * @param module the model replica of this rank
     * @param collective the ranks to average over
     */
    public DistributedDataParallel(Module module, Collective collective) {
        this(module, collective, DEFAULT_BUCKET_BYTES);
    }

    /**
     * Wraps {@code module} for the ranks of {@code collective} and broadcasts rank 0's parameters and
     * buffers into every replica. Every rank must construct its wrapper (a collective operation).
     *
     * @param module the model replica of this rank
     * @param collective the ranks to average over
     * @param bucketBytes the most bytes of gradients per all-reduce (one parameter larger than that has a bucket of its own)
     * @throws IllegalArgumentException if bucketBytes &lt; 1
     * @throws CollectiveException      if the ranks' models differ in their parameters' shapes or dtypes
     */
    public DistributedDataParallel(Module module, Collective collective, long bucketBytes) {
        this.module = Objects.requireNonNull(module, "module");
        this.collective = Objects.requireNonNull(collective, "collective");
        if (bucketBytes < 1) {
            throw new IllegalArgumentException("DistributedDataParallel: bucketBytes must be >= 1, got " + bucketBytes);
        }
        this.bucketBytes = bucketBytes;
        registerModule("module", module);
        StateSync.checkSameLayout(collective, module.stateDict());
        StateSync.broadcast(collective, module.stateDict().values(), 0);
        int rank = collective.rank();
        this.comm = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ddp-communication-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
        attach();
    }

    /**
     * The wrapped model.
     *
     * @return the model
     */
    public Module module() {
        return module;
    }

    /**
     * The collective the gradients are averaged over.
     *
     * @return the collective
     */
    public Collective collective() {
        return collective;
    }

    /**
     * The buckets' sizes in elements, in the order they are reduced (for inspection and tests).
     *
     * @return the sizes
     */
    public List<Integer> bucketSizes() {
        attach();
        return buckets.stream().map(b -> b.size).toList();
    }

    /** Runs the wrapped model (its forward hooks included), first broadcasting rank 0's buffers in training mode. */
    @Override
    public Tensor forward(Tensor input) {
        if (broken != null) {
            throw new IllegalStateException("DistributedDataParallel: " + broken);
        }
        attach();
        if (isTraining()) {
            List<Tensor> buffers = buffers();
            if (!buffers.isEmpty()) {
                StateSync.broadcast(collective, buffers, 0);
            }
        }
        return module.apply(input);
    }

    @Override
    public Scope noSync() {
        if (local) {
            throw new IllegalStateException("noSync: already inside a noSync scope");
        }
        local = true;
        return () -> local = false;
    }

    /** Stops the communication thread; the wrapper cannot be used afterwards. The collective stays open. */
    @Override
    public void close() {
        comm.shutdownNow();
        slots.keySet().forEach(t -> t.removeGradHook(hook));
        slots.clear();
        broken = "closed";
    }

    private List<Tensor> buffers() {
        Map<String, Tensor> state = module.stateDict();
        module.namedParameters().keySet().forEach(state::remove);
        return new ArrayList<>(state.values());
    }

    // ---------------------------------------------------------------- buckets

    /** Puts the hook on the current parameter values and rebuilds the buckets when the values or their trainability changed. */
    private void attach() {
        List<Parameter> trainable = module.parameters().stream().filter(Parameter::isTrainable).toList();
        boolean same = trainable.size() == slots.size();
        for (int i = 0; same && i < trainable.size(); i++) {
            same = slots.containsKey(trainable.get(i).value());
        }
        if (same) {
            return;
        }
        slots.keySet().forEach(t -> t.removeGradHook(hook));
        slots.clear();
        buckets.clear();
        Bucket current = null;
        for (int i = trainable.size() - 1; i >= 0; i--) {
            Parameter p = trainable.get(i);
            DType dtype = p.value().dtype();
            long bytes = (long) p.numel() * (dtype == DType.FLOAT64 ? 8 : 4);
            long cap = buckets.size() == 1 ? Math.min(bucketBytes, FIRST_BUCKET_BYTES) : bucketBytes;
            if (current == null || current.dtype != dtype || current.bytes + bytes > cap) {
                current = new Bucket(dtype);
                buckets.add(current);
            }
            slots.put(p.value(), new Slot(current, current.params.size()));
            current.add(p, bytes);
        }
        buckets.forEach(Bucket::allocate);
        slots.keySet().forEach(t -> t.addGradHook(hook));
    }

    /** The hook: a parameter's gradient is final for this pass; send every bucket in line that is complete. */
    private void gradientReady(Tensor value) {
        Slot slot = slots.get(value);
        if (local || slot == null) {
            return;
        }
        if (!passOpen) {
            passOpen = true;
            nextToSend = 0;
            buckets.forEach(Bucket::reset);
            Tensor.whenBackwardEnds(this::endPass);
        }
        slot.bucket.ready[slot.index] = true;
        slot.bucket.readyCount++;
        // The last bucket is left to endPass: once it is complete no backward work remains to overlap, and
        // reducing it on this thread spares two thread hand-offs on the step's critical path.
        while (nextToSend < buckets.size() - 1 && buckets.get(nextToSend).complete()) {
            send(buckets.get(nextToSend++));
        }
    }

    /** Sends what is left, waits for every reduction and writes the means into the gradients. */
    private void endPass(boolean completed) {
        passOpen = false;
        if (!completed) {
            // Some buckets may be on their way to other ranks while others never will be: the replicas can no
            // longer agree, and pretending otherwise would train them apart.
            broken = "a backward pass failed while its gradients were being averaged; the replicas are out of "
                    + "step, so the job must be restarted";
            return;
        }
        // The buckets still in line are reduced here, after those on the communication thread (whose calls
        // come first on every rank): nothing is left to overlap them with.
        for (int i = 0; i < nextToSend; i++) {
            await(buckets.get(i));
        }
        while (nextToSend < buckets.size()) {
            Bucket b = buckets.get(nextToSend++);
            b.pack();
            try {
                b.reduce(collective);
            } catch (RuntimeException e) {
                broken = "averaging gradients failed: " + e.getMessage();
                throw e;
            }
        }
        buckets.forEach(Bucket::unpack);
    }

    /** Waits for a bucket's reduction on the communication thread; a failure breaks the wrapper. */
    private void await(Bucket b) {
        try {
            b.pending.get();
        } catch (ExecutionException e) {
            broken = "averaging gradients failed: " + e.getCause().getMessage();
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new CollectiveException("DistributedDataParallel: averaging gradients failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broken = "interrupted while averaging gradients";
            throw new CollectiveException("DistributedDataParallel: interrupted while averaging gradients", e);
        }
    }

    /** Packs a bucket and hands its reduction to the communication thread. */
    private void send(Bucket b) {
        b.pack();
        b.pending = comm.submit(() -> b.reduce(collective));
    }

    private record Slot(Bucket bucket, int index) {
    }

    /** Gradients of a run of parameters of one dtype, reduced together. */
    private static final class Bucket {
        final DType dtype;
        final List<Parameter> params = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        long bytes;
        int size;
        float[] floats;
        double[] doubles;
        boolean[] ready;
        int readyCount;
        Future<?> pending;

        Bucket(DType dtype) {
            if (!dtype.isFloating()) {
                throw new IllegalArgumentException("DistributedDataParallel: parameters must be floating, got " + dtype);
            }
            this.dtype = dtype;
        }

        void add(Parameter p, long b) {
            params.add(p);
            offsets.add(size);
            size = Math.addExact(size, p.numel());
            bytes += b;
        }

        void allocate() {
            if (dtype == DType.FLOAT64) {
                doubles = new double[size];
            } else {
                floats = new float[size];
            }
            ready = new boolean[params.size()];
        }

        void reset() {
            java.util.Arrays.fill(ready, false);
            readyCount = 0;
            pending = null;
        }

        boolean complete() {
            return readyCount == params.size();
        }

        /** Replaces the packed gradients by their mean over the ranks. */
        void reduce(Collective collective) {
            if (dtype == DType.FLOAT64) {
                collective.allReduce(doubles, 0, size, ReduceOp.MEAN);
            } else {
                collective.allReduce(floats, 0, size, ReduceOp.MEAN);
            }
        }

        /** Copies the gradients into the flat array; a parameter the pass did not reach counts as zeros. */
        void pack() {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                Tensor g = p.grad();
                int off = offsets.get(i);
                if (g == null) {
                    if (dtype == DType.FLOAT64) {
                        java.util.Arrays.fill(doubles, off, off + p.numel(), 0);
                    } else {
                        java.util.Arrays.fill(floats, off, off + p.numel(), 0);
                    }
                    continue;
                }
                if (dtype == DType.FLOAT64) {
                    g.backend().read(g.storage(), DoubleBuffer.wrap(doubles, off, p.numel()));
                } else {
                    g.backend().read(g.storage(), FloatBuffer.wrap(floats, off, p.numel()));
                }
            }
        }

        void unpack() {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                Tensor g = p.grad();
                if (g == null) {
                    // This rank never computed a gradient for it: the mean has nowhere to go, and the
                    // optimizer would skip the parameter here while other ranks update it.
                    throw new IllegalStateException("DistributedDataParallel: parameter of shape "
                            + java.util.Arrays.toString(p.value().shape()) + " has no gradient on this rank: every "
                            + "trainable parameter must take part in the forward pass (freeze unused ones)");
                }
                int off = offsets.get(i);
                if (dtype == DType.FLOAT64) {
                    g.backend().write(g.storage(), DoubleBuffer.wrap(doubles, off, p.numel()));
                } else {
                    g.backend().write(g.storage(), FloatBuffer.wrap(floats, off, p.numel()));
                }
            }
        }
    }
}
