package org.trainer.core;

import java.util.Arrays;
import java.util.Optional;

import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;
import org.trainer.core.ops.ArgReduce;
import org.trainer.core.ops.Arithmetic;
import org.trainer.core.ops.Cast;
import org.trainer.core.ops.Compare;
import org.trainer.core.ops.Concat;
import org.trainer.core.ops.Conv2d;
import org.trainer.core.ops.Expand;
import org.trainer.core.ops.IndexSelect;
import org.trainer.core.ops.Linear;
import org.trainer.core.ops.MatMul;
import org.trainer.core.ops.Narrow;
import org.trainer.core.ops.Permute;
import org.trainer.core.ops.Pool2d;
import org.trainer.core.ops.Reduce;
import org.trainer.core.ops.Reshape;
import org.trainer.core.ops.Softmax;
import org.trainer.core.ops.Unary;
import org.trainer.core.ops.Where;

/**
 * An N-dimensional array on a device, with reverse-mode automatic differentiation.
 *
 * <p>Tensors are contiguous and row-major; reshaping shares storage, other shape ops copy.
 * Elementwise ops broadcast as NumPy does. Axes may be negative (counted from the end). Every
 * method returns a new tensor and leaves its operands unchanged, except the explicitly in-place
 * ones ({@link #zeroGrad()}, {@link #copyFrom(Tensor)}).
 *
 * <p>Autograd is define-by-run: mark leaves with {@link #requiresGrad(boolean)}, compute, call
 * {@link #backward()} on a scalar, and read {@link #grad()}. Gradients accumulate over backward
 * calls until {@link #zeroGrad()}. Inside {@code try (var g = Tensor.noGrad()) { ... }} nothing is
 * recorded.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private boolean requiresGrad;
    private Function gradFn;
    private Tensor grad;
    /** The gradient buffer holds stale values that count as zeros (see {@link #zeroGrad()}). */
    private boolean gradZeroed;
    /** Hooks run once a backward pass has accumulated this leaf's gradient; null while there are none. */
    private java.util.List<java.util.function.Consumer<Tensor>> gradHooks;

    private Tensor(Storage storage, int[] shape) {
        if (Shapes.numel(shape) != storage.size()) {
            throw new IllegalArgumentException("Tensor: shape " + Shapes.str(shape) + " needs " + Shapes.numel(shape)
                    + " elements, storage has " + storage.size());
        }
        this.storage = storage;
        this.shape = shape;
    }

    // ---------------------------------------------------------------- creation

    /**
     * A tensor over an existing storage (for backends and ops); the shape must match its size.
     *
     * @param storage the elements, kept (not copied)
     * @param shape the sizes of the axes
     * @return a tensor over {@code storage}
     */
    public static Tensor wrap(Storage storage, int... shape) {
        return new Tensor(storage, shape.clone());
    }

    /**
     * A zero-filled tensor of this dtype on the backend.
     *
     * @param backend the backend that holds it
     * @param dtype the element type
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor zeros(Backend backend, DType dtype, int... shape) {
        return new Tensor(MemoryScope.allocate(backend, dtype, Shapes.numel(Shapes.check("zeros", shape))),
                shape.clone());
    }

    /**
     * A zero-filled float32 tensor on the CPU.
     *
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor zeros(int... shape) {
        return zeros(Backends.cpu(), DType.FLOAT32, shape);
    }

    /**
     * A zero-filled tensor of this dtype on the CPU.
     *
     * @param dtype the element type
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor zeros(DType dtype, int... shape) {
        return zeros(Backends.cpu(), dtype, shape);
    }

    /**
     * A float32 tensor of ones on the CPU.
     *
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor ones(int... shape) {
        return full(1, shape);
    }

    /**
     * A float32 tensor on the CPU with every element equal to {@code value}.
     *
     * @param value the value of every element
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /**
     * A tensor of this dtype on the CPU with every element equal to {@code value}.
     *
     * @param dtype the element type
     * @param value the value of every element
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor full(DType dtype, double value, int... shape) {
        return full(Device.CPU, dtype, value, shape);
    }

    /**
     * A tensor of {@code value} made on {@code device} itself (a fill there, no transfer).
     *
     * @param device the device that holds it
     * @param dtype the element type
     * @param value the value of every element
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor full(Device device, DType dtype, double value, int... shape) {
        Backend backend = Backends.get(device);
        Tensor t = new Tensor(MemoryScope.allocateForOverwrite(backend, dtype,
                Shapes.numel(Shapes.check("full", shape))), shape.clone());
        backend.fill(t.storage, value);
        return t;
    }

    /**
     * A 0-d tensor holding one value.
     *
     * @param value the value
     * @return a 0-d float32 tensor on the CPU
     */
    public static Tensor scalar(double value) {
        return full(value);
    }

    /**
     * [start, start + step, ...) up to but excluding end, as float32.
     *
     * @param start the first value
     * @param end the bound, excluded
     * @param step the difference between neighbours, non-zero (negative counts down)
     * @return a rank-1 tensor of max(0, ceil((end - start) / step)) elements
     */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (start + i * step);
        }
        return fromArray(v, n);
    }

    /**
     * 0, 1, ..., n-1 as float32.
     *
     * @param n the number of elements
     * @return a rank-1 tensor [n]
     */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /**
     * A CPU tensor of {@code shape} holding a copy of {@code data}, row-major. The dtype follows the
     * array: {@code float[]} makes float32 (the dtype of training: layers' weights are float32),
     * {@code double[]} makes float64 and {@code int[]} int32. For float32 from doubles, use
     * {@link #fromArray(DType, double[], int...)}.
     *
     * @throws IllegalArgumentException if a size is negative or the shape's element count differs from the array's
     */
    public static Tensor fromArray(float[] data, int... shape) {
        checkData("fromArray", data.length, shape);
        return new Tensor(Backends.cpu().fromArray(data), shape.clone());
    }

    /**
     * A float64 CPU tensor holding a copy of {@code data} (as {@link #fromArray(float[], int...)}
     * says). float64 is for gradient checks and numerics; a layer's float32 weights refuse a float64
     * input, so for training data use {@link #fromArray(DType, double[], int...)} with
     * {@link DType#FLOAT32}, or {@code .to(DType.FLOAT32)}.
     */
    public static Tensor fromArray(double[] data, int... shape) {
        checkData("fromArray", data.length, shape);
        return new Tensor(Backends.cpu().fromArray(data), shape.clone());
    }

    /**
     * A CPU tensor of a floating {@code dtype} holding {@code data}, row-major: FLOAT32 rounds each
     * value to the nearest float (as {@code (float) v} does), FLOAT64 keeps it.
     *
     * @throws IllegalArgumentException if {@code dtype} is not floating, a size is negative or the
     *                                  shape's element count differs from the array's
     */
    public static Tensor fromArray(DType dtype, double[] data, int... shape) {
        checkData("fromArray", data.length, shape);
        switch (dtype) {
            case FLOAT64 -> {
                return fromArray(data, shape);
            }
            case FLOAT32 -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                return fromArray(f, shape);
            }
            default -> throw new IllegalArgumentException("fromArray: dtype " + dtype
                    + " for double values, expected FLOAT32 or FLOAT64 (use fromArray(int[], shape) for INT32)");
        }
    }

    /** An int32 CPU tensor holding a copy of {@code data} (as {@link #fromArray(float[], int...)} says). */
    public static Tensor fromArray(int[] data, int... shape) {
        checkData("fromArray", data.length, shape);
        return new Tensor(Backends.cpu().fromArray(data), shape.clone());
    }

    private static void checkData(String op, int length, int[] shape) {
        Shapes.check(op, shape);
        if (Shapes.numel(shape) != length) {
            throw new IllegalArgumentException(op + ": data has " + length + " elements but shape " + Shapes.str(shape)
                    + " needs " + Shapes.numel(shape));
        }
    }

    /**
     * Uniform in [0, 1), float32. Element i depends only on (seed, i).
     *
     * @param seed the seed of the draws
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor rand(long seed, int... shape) {
        return random(DType.FLOAT32, false, 0, 1, seed, shape);
    }

    /**
     * Standard normal, float32. Element i depends only on (seed, i).
     *
     * @param seed the seed of the draws
     * @param shape the sizes of the axes
     * @return the new tensor
     */
    public static Tensor randn(long seed, int... shape) {
        return random(DType.FLOAT32, true, 0, 1, seed, shape);
    }

    /**
     * Uniform in [low, high) or normal(mean = a, std = b) of any floating dtype.
     *
     * @param dtype FLOAT32 or FLOAT64
     * @param normal true for a normal distribution, false for a uniform one
     * @param a the lower bound (uniform) or the mean (normal)
     * @param b the upper bound (uniform) or the standard deviation (normal)
     * @param seed the seed of the draws
     * @param shape the sizes of the axes
     * @return the new tensor, on the CPU
     */
    public static Tensor random(DType dtype, boolean normal, double a, double b, long seed, int... shape) {
        Tensor t = zeros(dtype, shape);
        t.backend().random(t.storage, normal, a, b, seed);
        return t;
    }

    /**
     * An inverted-dropout mask: each element is 0 with probability p, else 1/(1-p), so that
     * {@code x.mul(mask)} keeps the expected value of x. Element i is {@code 1/(1-p)} (rounded to
     * float) where element i of {@link #rand}(seed, shape) is at least p (as a float), else 0: one
     * pass where the backend offers {@link Fused.DropoutMask}, the same values composed otherwise.
     *
     * @param p the probability of a zero, in [0, 1)
     * @param seed the seed of the draws
     * @param shape the sizes of the axes
     * @return the float32 mask, on the CPU
     */
    public static Tensor dropoutMask(double p, long seed, int... shape) {
        return dropoutMask(Backends.cpu(), p, seed, shape);
    }

    /**
     * {@link #dropoutMask(double, long, int...)} built by a backend, on its device: every backend
     * draws the same uniform values for a seed, so the mask is the same on every device.
     */
    private static Tensor dropoutMask(Backend backend, double p, long seed, int... shape) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropoutMask: p must be in [0, 1), got " + p);
        }
        int size = Shapes.numel(Shapes.check("dropoutMask", shape));
        try (GradMode off = noGrad()) {
            // Every element is written, by the fused pass or by the uniform fill: no zero fill first.
            Tensor t = new Tensor(MemoryScope.allocateForOverwrite(backend, DType.FLOAT32, size), shape.clone());
            Optional<Fused.DropoutMask> fused = backend.capability(Fused.DropoutMask.class);
            if (fused.isPresent()) {
                fused.get().dropoutMask(t.storage, p, seed);
                return t;
            }
            backend.random(t.storage, false, 0, 1, seed);
            return t.ge(p).mul(1 / (1 - p));
        }
    }

    /**
     * Opens a scope in which operations are not recorded for autograd (try-with-resources).
     *
     * @return the scope; closing it restores the previous mode
     */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    // ---------------------------------------------------------------- properties

    /**
     * The sizes of the axes (a copy; empty for a 0-d tensor).
     *
     * @return the shape
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The number of axes (0 for a scalar).
     *
     * @return the rank
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Size of one axis (negative counts from the end).
     *
     * @param axis the axis
     * @return its size
     */
    public int size(int axis) {
        return shape[Shapes.axis("size", axis, shape.length)];
    }

    /**
     * The number of elements (the product of the shape; 1 for a 0-d tensor).
     *
     * @return the number of elements
     */
    public int numel() {
        return storage.size();
    }

    /**
     * The element type.
     *
     * @return the dtype
     */
    public DType dtype() {
        return storage.dtype();
    }

    /**
     * The backend that holds the storage and runs this tensor's ops.
     *
     * @return the backend
     */
    public Backend backend() {
        return storage.backend();
    }

    /**
     * The device that holds the elements.
     *
     * @return the device
     */
    public Device device() {
        return storage.backend().device();
    }

    /**
     * The underlying storage (for backends and ops).
     *
     * @return the storage
     */
    public Storage storage() {
        return storage;
    }

    /**
     * Copies the elements to a new host array in row-major order, converted to float.
     *
     * @return the elements
     */
    public float[] toFloatArray() {
        return backend().toFloatArray(storage);
    }

    /**
     * Copies the elements to a new host array in row-major order, converted to double.
     *
     * @return the elements
     */
    public double[] toDoubleArray() {
        return backend().toDoubleArray(storage);
    }

    /**
     * Copies the elements to a new host array in row-major order, converted to int (floats truncated toward zero).
     *
     * @return the elements
     */
    public int[] toIntArray() {
        return backend().toIntArray(storage);
    }

    /**
     * The value of a one-element tensor.
     *
     * @return the value (IllegalStateException when the tensor does not have exactly one element)
     */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " has " + numel()
                    + " elements, expected 1");
        }
        return toDoubleArray()[0];
    }

    /**
     * This tensor converted to another dtype (differentiable between floating dtypes).
     *
     * @param dtype the target type
     * @return the converted tensor, or this one when it has that dtype already
     */
    public Tensor to(DType dtype) {
        return dtype == dtype() ? this : Cast.apply(this, dtype);
    }

    /**
     * A copy on another device (not recorded for autograd); this tensor itself when it is there
     * already. Inside a {@link MemoryScope} the copy's memory comes from the scope, like any op's
     * output, so that moving each batch to a GPU reuses the memory of the step before.
     *
     * @param device the target device
     * @return the copy, or this tensor
     */
    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        Backend target = Backends.get(device);
        Storage s = MemoryScope.allocateForOverwrite(target, dtype(), storage.size());
        target.copyFrom(storage, s);
        return new Tensor(s, shape.clone());
    }

    /**
     * A copy with its own storage, recorded for autograd.
     *
     * @return the copy
     */
    public Tensor copy() {
        return Unary.apply(UnaryOp.SCALE, 1, this);
    }

    /**
     * Overwrites this tensor's elements with those of src (same shape and dtype; not recorded).
     *
     * @param src the values to copy (IllegalArgumentException when its shape or dtype differs)
     * @return this tensor
     */
    public Tensor copyFrom(Tensor src) {
        if (!Arrays.equals(shape, src.shape) || src.dtype() != dtype()) {
            throw new IllegalArgumentException("copyFrom: source " + Shapes.str(src.shape) + " " + src.dtype()
                    + " does not match " + Shapes.str(shape) + " " + dtype());
        }
        int[] strides = Shapes.strides(shape);
        backend().copy(src.storage, 0, strides, storage, 0, strides, shape);
        return this;
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Whether backward computes a gradient for this tensor (a marked leaf) or through it (a recorded op output).
     *
     * @return whether gradients flow to or through this tensor
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as a variable whose gradient backward computes. Returns this.
     *
     * @param value true to compute the gradient (floating tensors only)
     * @return this tensor
     */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can be marked; this one is the output of "
                    + gradFn.name() + " (use detach() first)");
        }
        if (value && !dtype().isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only floating tensors have gradients, this one is "
                    + dtype());
        }
        this.requiresGrad = value;
        return this;
    }

    /**
     * The accumulated gradient, or null before the first backward pass reaches this leaf. Read it
     * again after each backward pass: inside training steps the gradient may move to new memory
     * (the memory the step computed it in) instead of being copied.
     *
     * @return the gradient, of this tensor's shape, or null
     */
    public Tensor grad() {
        if (gradZeroed) {
            grad.backend().fill(grad.storage, 0);
            gradZeroed = false;
        }
        return grad;
    }

    /**
     * Zeroes the accumulated gradient, keeping its buffer. The zeros are written lazily: the next
     * backward pass overwrites the buffer instead of adding to zeros, which saves a pass over the
     * memory of every parameter in each training step.
     */
    public void zeroGrad() {
        if (grad != null) {
            gradZeroed = true;
        }
    }

    /**
     * The op that produced this tensor, or null for a leaf.
     *
     * @return the op, or null
     */
    public Function gradFn() {
        return gradFn;
    }

    void setGradFn(Function fn) {
        this.gradFn = fn;
        this.requiresGrad = true;
    }

    /**
     * The same data without history: gradients do not flow through the result.
     *
     * @return a tensor sharing this one's storage, without a gradient function
     */
    public Tensor detach() {
        return new Tensor(storage, shape.clone());
    }

    /**
     * Adds a hook that runs each time a backward pass has accumulated this leaf's gradient, with this
     * tensor: once per pass, after every contribution of the pass has been added, so {@link #grad()}
     * is final for the pass when it runs (PyTorch's post-accumulate-grad hook). It runs on the thread
     * of the backward pass, in the order the pass reaches the leaves (roughly the reverse of the
     * forward order), and must not change the graph. Data-parallel training uses it to send each
     * gradient on while the rest of the backward pass runs.
     *
     * @param hook called with this tensor
     * @throws IllegalStateException if this tensor is not a leaf
     */
    public void addGradHook(java.util.function.Consumer<Tensor> hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        if (gradFn != null) {
            throw new IllegalStateException("addGradHook: only leaf tensors accumulate gradients; this one is the "
                    + "output of " + gradFn.name());
        }
        if (gradHooks == null) {
            gradHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
        }
        gradHooks.add(hook);
    }

    /**
     * Removes a hook added by {@link #addGradHook}; removing it again does nothing.
     *
     * @param hook the hook to remove
     */
    public void removeGradHook(java.util.function.Consumer<Tensor> hook) {
        if (gradHooks != null) {
            gradHooks.remove(hook);
        }
    }

    void runGradHooks() {
        if (gradHooks != null) {
            for (java.util.function.Consumer<Tensor> h : gradHooks) {
                h.accept(this);
            }
        }
    }

    /**
     * Calls {@code listener} when the backward pass running on this thread ends: after its last
     * gradient is accumulated, with {@code completed} true, or as it fails, with false. For hooks
     * (see {@link #addGradHook}) that start work during a pass and must finish it before the pass
     * returns, such as waiting for the gradients sent to other ranks. Listeners run in the order
     * they were added, once each.
     *
     * @param listener called once when the pass ends
     * @throws IllegalStateException outside a backward pass
     */
    public static void whenBackwardEnds(BackwardListener listener) {
        Autograd.whenEnds(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Backpropagates from this scalar (d this / d this = 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: called on a tensor of shape " + Shapes.str(shape)
                    + "; give a gradient of that shape, or reduce to a scalar first");
        }
        backward(Tensor.full(device(), dtype(), 1, shape));
    }

    /**
     * Backpropagates with the given gradient of this tensor.
     *
     * @param gradient d loss / d this, of this tensor's shape
     */
    public void backward(Tensor gradient) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph; mark its "
                    + "inputs with requiresGrad(true)");
        }
        if (!Arrays.equals(gradient.shape, shape)) {
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.str(gradient.shape)
                    + " differs from tensor shape " + Shapes.str(shape));
        }
        Autograd.backward(this, gradient);
    }

    /**
     * Adds a gradient from a backward pass. When the gradient was zeroed and the new one's memory
     * belongs to the open step scope, the leaf takes that memory over and gives the scope its old
     * gradient buffer in exchange ({@link MemoryScope#exchange}): no copy, and the pool stays as full
     * as before. The first gradient is copied into memory of its own; so is the backward seed
     * (and any view of it), which the caller owns.
     */
    void accumulateGrad(Tensor g, boolean mayTake) {
        if (mayTake && grad != null && gradZeroed && g.dtype() == grad.dtype() && g.backend() == grad.backend()
                && MemoryScope.exchange(g.storage, grad.storage)) {
            grad = new Tensor(g.storage, shape.clone());
            gradZeroed = false;
            return;
        }
        if (grad == null) {
            // A leaf's gradient outlives the step that first creates it.
            try (MemoryScope keep = MemoryScope.persistent()) {
                grad = new Tensor(g.backend().allocate(g.dtype(), g.numel()), shape.clone());
            }
            grad.copyFrom(g);
        } else if (gradZeroed) {
            grad.copyFrom(g);
            gradZeroed = false;
        } else {
            backend().binary(BinaryOp.ADD, grad.storage, shape, g.storage, shape, grad.storage, shape);
        }
    }

    // ---------------------------------------------------------------- shape

    /**
     * Same elements, new shape (a view sharing storage); one size may be -1 to be inferred.
     *
     * @param newShape the new sizes, with as many elements in all
     * @return the view
     */
    public Tensor reshape(int... newShape) {
        return Reshape.apply(this, newShape);
    }

    /**
     * Rank-1 view of all elements.
     *
     * @return the view [numel]
     */
    public Tensor flatten() {
        return reshape(numel());
    }

    /**
     * Merges axes startAxis..endAxis (inclusive) into one.
     *
     * @param startAxis the first axis to merge
     * @param endAxis the last axis to merge, not before startAxis
     * @return the view
     */
    public Tensor flatten(int startAxis, int endAxis) {
        int s = Shapes.axis("flatten", startAxis, rank());
        int e = Shapes.axis("flatten", endAxis, rank());
        if (s > e) {
            throw new IllegalArgumentException("flatten: startAxis " + startAxis + " is after endAxis " + endAxis);
        }
        int[] out = new int[rank() - (e - s)];
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= shape[i];
        }
        System.arraycopy(shape, 0, out, 0, s);
        out[s] = merged;
        System.arraycopy(shape, e + 1, out, s + 1, rank() - e - 1);
        return reshape(out);
    }

    /**
     * Removes every axis of size 1.
     *
     * @return the view
     */
    public Tensor squeeze() {
        return reshape(Arrays.stream(shape).filter(d -> d != 1).toArray());
    }

    /**
     * Removes one axis, which must have size 1.
     *
     * @param axis the axis to remove
     * @return the view
     */
    public Tensor squeeze(int axis) {
        int a = Shapes.axis("squeeze", axis, rank());
        if (shape[a] != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shapes.str(shape)
                    + " has size " + shape[a] + ", expected 1");
        }
        int[] out = new int[rank() - 1];
        System.arraycopy(shape, 0, out, 0, a);
        System.arraycopy(shape, a + 1, out, a, rank() - a - 1);
        return reshape(out);
    }

    /**
     * Inserts an axis of size 1 at {@code axis} (in the result's numbering).
     *
     * @param axis the position of the new axis, in [-(rank + 1), rank]
     * @return the view
     */
    public Tensor unsqueeze(int axis) {
        int a = Shapes.axis("unsqueeze", axis, rank() + 1);
        int[] out = new int[rank() + 1];
        System.arraycopy(shape, 0, out, 0, a);
        out[a] = 1;
        System.arraycopy(shape, a, out, a + 1, rank() - a);
        return reshape(out);
    }

    /**
     * Reorders the axes: result axis i is this tensor's axis perm[i].
     *
     * @param perm a permutation of the axes
     * @return the reordered copy
     */
    public Tensor permute(int... perm) {
        return Permute.apply(this, perm);
    }

    /**
     * Swaps two axes.
     *
     * @param axis0 one axis
     * @param axis1 the other axis
     * @return the reordered copy
     */
    public Tensor transpose(int axis0, int axis1) {
        int a = Shapes.axis("transpose", axis0, rank());
        int b = Shapes.axis("transpose", axis1, rank());
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /**
     * Transpose of a 2-D tensor.
     *
     * @return the transposed copy [n, m] of this [m, n]
     */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("t: expected a 2-D tensor, got shape " + Shapes.str(shape));
        }
        return transpose(0, 1);
    }

    /**
     * Elements start..start+length-1 along an axis.
     *
     * @param axis the axis
     * @param start the first index kept
     * @param length the number of indices kept
     * @return the copy
     */
    public Tensor narrow(int axis, int start, int length) {
        return Narrow.apply(this, axis, start, length);
    }

    /**
     * Elements [start, end) along an axis; negative bounds count from the end.
     *
     * @param axis the axis
     * @param start the first index kept
     * @param end the first index not kept
     * @return the copy
     */
    public Tensor slice(int axis, int start, int end) {
        int n = size(axis);
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IllegalArgumentException("slice: [" + start + ", " + end + ") is out of range for axis " + axis
                    + " of size " + n);
        }
        return narrow(axis, s, e - s);
    }

    /**
     * Joins tensors along an existing axis.
     *
     * @param axis the axis to join along
     * @param tensors at least one tensor; all other sizes agree
     * @return the joined tensor
     */
    public static Tensor concat(int axis, Tensor... tensors) {
        return Concat.apply(axis, tensors);
    }

    /**
     * Joins tensors of equal shape along a new axis.
     *
     * @param axis the position of the new axis
     * @param tensors at least one tensor, all of one shape
     * @return the stacked tensor, with a new axis of size {@code tensors.length}
     */
    public static Tensor stack(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack: expected at least one tensor");
        }
        Tensor[] expanded = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape, tensors[0].shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.str(tensors[i].shape)
                        + ", tensor 0 has " + Shapes.str(tensors[0].shape) + " (expected equal shapes)");
            }
            expanded[i] = tensors[i].unsqueeze(axis < 0 ? axis + tensors[0].rank() + 1 : axis);
        }
        return concat(axis < 0 ? axis + tensors[0].rank() + 1 : axis, expanded);
    }

    /**
     * Repeats size-1 axes (and prepends axes) to reach {@code target}, as NumPy broadcasting does.
     *
     * @param target the shape to reach
     * @return the materialised copy
     */
    public Tensor broadcastTo(int... target) {
        return Expand.apply(this, target);
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * this + other, elementwise with broadcasting.
     *
     * @param other the addend
     * @return the sum
     */
    public Tensor add(Tensor other) {
        return Arithmetic.apply(BinaryOp.ADD, this, other);
    }

    /**
     * this + value for every element.
     *
     * @param value the addend
     * @return the sum
     */
    public Tensor add(double value) {
        return Unary.apply(UnaryOp.SHIFT, value, this);
    }

    /**
     * this - other, elementwise with broadcasting.
     *
     * @param other the subtrahend
     * @return the difference
     */
    public Tensor sub(Tensor other) {
        return Arithmetic.apply(BinaryOp.SUB, this, other);
    }

    /**
     * this - value for every element.
     *
     * @param value the subtrahend
     * @return the difference
     */
    public Tensor sub(double value) {
        return add(-value);
    }

    /**
     * this * other, elementwise with broadcasting.
     *
     * @param other the factor
     * @return the product
     */
    public Tensor mul(Tensor other) {
        return Arithmetic.apply(BinaryOp.MUL, this, other);
    }

    /**
     * this * value for every element.
     *
     * @param value the factor
     * @return the product
     */
    public Tensor mul(double value) {
        return Unary.apply(UnaryOp.SCALE, value, this);
    }

    /**
     * this / other, elementwise with broadcasting.
     *
     * @param other the divisor
     * @return the quotient
     */
    public Tensor div(Tensor other) {
        return Arithmetic.apply(BinaryOp.DIV, this, other);
    }

    /**
     * this / value for every element (computed as a multiplication by 1 / value).
     *
     * @param value the divisor
     * @return the quotient
     */
    public Tensor div(double value) {
        return mul(1 / value);
    }

    /**
     * this ^ exponent, elementwise with broadcasting.
     *
     * @param exponent the exponents
     * @return the powers
     */
    public Tensor pow(Tensor exponent) {
        return Arithmetic.apply(BinaryOp.POW, this, exponent);
    }

    /**
     * this ^ exponent for every element.
     *
     * @param exponent the exponent
     * @return the powers
     */
    public Tensor pow(double exponent) {
        return Unary.apply(UnaryOp.POW_SCALAR, exponent, this);
    }

    /**
     * Elementwise maximum of two tensors.
     *
     * @param other the other operand
     * @return the larger elements
     */
    public Tensor maximum(Tensor other) {
        return Arithmetic.apply(BinaryOp.MAX, this, other);
    }

    /**
     * Elementwise minimum of two tensors.
     *
     * @param other the other operand
     * @return the smaller elements
     */
    public Tensor minimum(Tensor other) {
        return Arithmetic.apply(BinaryOp.MIN, this, other);
    }

    /**
     * -this, elementwise.
     *
     * @return the negation
     */
    public Tensor neg() {
        return Unary.apply(UnaryOp.NEG, 0, this);
    }

    /**
     * e^x, elementwise.
     *
     * @return the exponentials
     */
    public Tensor exp() {
        return Unary.apply(UnaryOp.EXP, 0, this);
    }

    /**
     * The natural logarithm, elementwise.
     *
     * @return the logarithms
     */
    public Tensor log() {
        return Unary.apply(UnaryOp.LOG, 0, this);
    }

    /**
     * The square root, elementwise.
     *
     * @return the square roots
     */
    public Tensor sqrt() {
        return Unary.apply(UnaryOp.SQRT, 0, this);
    }

    /**
     * The absolute value, elementwise.
     *
     * @return the absolute values
     */
    public Tensor abs() {
        return Unary.apply(UnaryOp.ABS, 0, this);
    }

    /**
     * 1 / x, elementwise.
     *
     * @return the reciprocals
     */
    public Tensor reciprocal() {
        return Unary.apply(UnaryOp.RECIPROCAL, 0, this);
    }

    /**
     * Limits every element to [min, max].
     *
     * @param min the lower limit
     * @param max the upper limit, at least min
     * @return the clamped values
     */
    public Tensor clamp(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        }
        return Unary.apply(UnaryOp.CLAMP_MAX, max, Unary.apply(UnaryOp.CLAMP_MIN, min, this));
    }

    /**
     * Where cond is non-zero, a's element; elsewhere b's (all three broadcast).
     *
     * @param cond the condition, of any dtype
     * @param a the values where cond is non-zero
     * @param b the values elsewhere
     * @return the selection
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Where.apply(cond, a, b);
    }

    /**
     * Elements where mask is non-zero replaced by value.
     *
     * @param mask where to fill (broadcast against this tensor)
     * @param value the fill value
     * @return the filled copy
     */
    public Tensor maskedFill(Tensor mask, double value) {
        return where(mask, Tensor.full(device(), dtype(), value), this);
    }

    /**
     * 1 where this == other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor eq(Tensor other) {
        return Compare.apply(BinaryOp.EQ, this, other);
    }

    /**
     * 1 where this != other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor ne(Tensor other) {
        return Compare.apply(BinaryOp.NE, this, other);
    }

    /**
     * 1 where this &lt; other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor lt(Tensor other) {
        return Compare.apply(BinaryOp.LT, this, other);
    }

    /**
     * 1 where this &lt;= other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor le(Tensor other) {
        return Compare.apply(BinaryOp.LE, this, other);
    }

    /**
     * 1 where this &gt; other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor gt(Tensor other) {
        return Compare.apply(BinaryOp.GT, this, other);
    }

    /**
     * 1 where this &gt;= other, else 0 (broadcasting; floating operands; same dtype, no gradient).
     *
     * @param other the other operand
     * @return the 0/1 tensor
     */
    public Tensor ge(Tensor other) {
        return Compare.apply(BinaryOp.GE, this, other);
    }

    /**
     * 1 where an element equals {@code v}, else 0 (no gradient).
     *
     * @param v the value to compare with
     * @return the 0/1 tensor
     */
    public Tensor eq(double v) {
        return eq(constant(v));
    }

    /**
     * 1 where an element is less than {@code v}, else 0 (no gradient).
     *
     * @param v the value to compare with
     * @return the 0/1 tensor
     */
    public Tensor lt(double v) {
        return lt(constant(v));
    }

    /**
     * 1 where an element is at most {@code v}, else 0 (no gradient).
     *
     * @param v the value to compare with
     * @return the 0/1 tensor
     */
    public Tensor le(double v) {
        return le(constant(v));
    }

    /**
     * 1 where an element is greater than {@code v}, else 0 (no gradient).
     *
     * @param v the value to compare with
     * @return the 0/1 tensor
     */
    public Tensor gt(double v) {
        return gt(constant(v));
    }

    /**
     * 1 where an element is at least {@code v}, else 0 (no gradient).
     *
     * @param v the value to compare with
     * @return the 0/1 tensor
     */
    public Tensor ge(double v) {
        return ge(constant(v));
    }

    private Tensor constant(double v) {
        return Tensor.full(device(), dtype(), v);
    }

    // ---------------------------------------------------------------- activations

    /**
     * max(x, 0), elementwise.
     *
     * @return the activations
     */
    public Tensor relu() {
        return Unary.apply(UnaryOp.RELU, 0, this);
    }

    /**
     * max(x, 0) + slope * min(x, 0).
     *
     * @param slope the slope for negative inputs
     * @return the activations
     */
    public Tensor leakyRelu(double slope) {
        return Unary.apply(UnaryOp.LEAKY_RELU, slope, this);
    }

    /**
     * 1 / (1 + e^-x), elementwise.
     *
     * @return the activations
     */
    public Tensor sigmoid() {
        return Unary.apply(UnaryOp.SIGMOID, 0, this);
    }

    /**
     * The hyperbolic tangent, elementwise.
     *
     * @return the activations
     */
    public Tensor tanh() {
        return Unary.apply(UnaryOp.TANH, 0, this);
    }

    /**
     * Exact GELU: x * Phi(x).
     *
     * @return the activations
     */
    public Tensor gelu() {
        return Unary.apply(UnaryOp.GELU, 0, this);
    }

    /**
     * log(1 + e^x) (linear above 20, as PyTorch).
     *
     * @return the activations
     */
    public Tensor softplus() {
        return Unary.apply(UnaryOp.SOFTPLUS, 0, this);
    }

    /**
     * e^x / sum(e^x) along an axis, computed stably (the maximum is subtracted first); as torch.softmax.
     *
     * @param axis the axis that sums to 1
     * @return the probabilities, of this tensor's shape
     */
    public Tensor softmax(int axis) {
        return Softmax.apply(this, axis, false);
    }

    /**
     * log(softmax(x)) along an axis, computed stably in one pass; as torch.log_softmax. Pair it with a negative
     * log-likelihood instead of taking the log of {@link #softmax(int)}.
     *
     * @param axis the axis to normalise over
     * @return the log-probabilities, of this tensor's shape
     */
    public Tensor logSoftmax(int axis) {
        return Softmax.apply(this, axis, true);
    }

    /**
     * Multiplies by an inverted-dropout mask drawn from the seed (see {@link #dropoutMask}).
     *
     * @param p the probability of zeroing an element, in [0, 1)
     * @param seed the seed of the mask
     * @return the masked and rescaled values
     */
    public Tensor dropout(double p, long seed) {
        return mul(dropoutMask(backend(), p, seed, shape).to(dtype()));
    }

    // ---------------------------------------------------------------- reductions

    /**
     * Sum of all elements, as a 0-d tensor.
     *
     * @return the sum
     */
    public Tensor sum() {
        return Reduce.apply(ReduceOp.SUM, this, allAxes(), false);
    }

    /**
     * Sum along one axis; with keepDims the axis stays with size 1, else it is removed.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the sums
     */
    public Tensor sum(int axis, boolean keepDims) {
        return Reduce.apply(ReduceOp.SUM, this, new int[] {axis}, keepDims);
    }

    /**
     * Sum along several axes; with keepDims they stay with size 1, else they are removed.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep them with size 1
     * @return the sums
     */
    public Tensor sum(int[] axes, boolean keepDims) {
        return Reduce.apply(ReduceOp.SUM, this, axes, keepDims);
    }

    /**
     * Mean of all elements, as a 0-d tensor.
     *
     * @return the mean
     */
    public Tensor mean() {
        return mean(allAxes(), false);
    }

    /**
     * Mean along one axis; with keepDims the axis stays with size 1, else it is removed.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the means
     */
    public Tensor mean(int axis, boolean keepDims) {
        return mean(new int[] {axis}, keepDims);
    }

    /**
     * Mean along several axes; with keepDims they stay with size 1, else they are removed.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep them with size 1
     * @return the means
     */
    public Tensor mean(int[] axes, boolean keepDims) {
        Tensor s = sum(axes, keepDims);
        return s.mul((double) s.numel() / numel());
    }

    /**
     * Largest element, as a 0-d tensor.
     *
     * @return the maximum
     */
    public Tensor max() {
        return Reduce.apply(ReduceOp.MAX, this, allAxes(), false);
    }

    /**
     * Largest element along one axis; with keepDims the axis stays with size 1, else it is removed.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the maxima
     */
    public Tensor max(int axis, boolean keepDims) {
        return Reduce.apply(ReduceOp.MAX, this, new int[] {axis}, keepDims);
    }

    /**
     * Smallest element, as a 0-d tensor.
     *
     * @return the minimum
     */
    public Tensor min() {
        return Reduce.apply(ReduceOp.MIN, this, allAxes(), false);
    }

    /**
     * Smallest element along one axis; with keepDims the axis stays with size 1, else it is removed.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the minima
     */
    public Tensor min(int axis, boolean keepDims) {
        return Reduce.apply(ReduceOp.MIN, this, new int[] {axis}, keepDims);
    }

    /**
     * Index (int32) of the largest element along an axis; the first one on ties.
     *
     * @param axis the axis to search
     * @param keepDims whether to keep it with size 1
     * @return the indices
     */
    public Tensor argmax(int axis, boolean keepDims) {
        return ArgReduce.apply(true, this, axis, keepDims);
    }

    /**
     * Index (int32) of the smallest element along an axis; the first one on ties. Not differentiable.
     *
     * @param axis the axis to search
     * @param keepDims whether to keep it with size 1
     * @return the indices
     */
    public Tensor argmin(int axis, boolean keepDims) {
        return ArgReduce.apply(false, this, axis, keepDims);
    }

    /**
     * Variance along axes with Bessel's correction (divides by n - 1), as torch.var.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep them with size 1
     * @return the variances
     */
    public Tensor var(int[] axes, boolean keepDims) {
        return var(axes, keepDims, 1);
    }

    /**
     * Variance along axes dividing by n - correction.
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep them with size 1
     * @param correction 1 for the unbiased estimate, 0 for the population variance; below the element count
     * @return the variances
     */
    public Tensor var(int[] axes, boolean keepDims, int correction) {
        Tensor mu = mean(axes, true);
        Tensor d = sub(mu);
        Tensor ss = d.mul(d).sum(axes, keepDims);
        int n = numel() / Math.max(1, ss.numel());
        if (n - correction <= 0) {
            throw new IllegalArgumentException("var: " + n + " elements per reduction leave no degrees of freedom with"
                    + " correction " + correction);
        }
        return ss.mul(1.0 / (n - correction));
    }

    /**
     * Variance along one axis with Bessel's correction (divides by n - 1), as torch.var.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the variances
     */
    public Tensor var(int axis, boolean keepDims) {
        return var(new int[] {axis}, keepDims);
    }

    /**
     * Standard deviation along axes with Bessel's correction (the square root of {@link #var(int[], boolean)}).
     *
     * @param axes the axes to reduce
     * @param keepDims whether to keep them with size 1
     * @return the standard deviations
     */
    public Tensor std(int[] axes, boolean keepDims) {
        return var(axes, keepDims).sqrt();
    }

    /**
     * Standard deviation along one axis with Bessel's correction, as torch.std.
     *
     * @param axis the axis to reduce
     * @param keepDims whether to keep it with size 1
     * @return the standard deviations
     */
    public Tensor std(int axis, boolean keepDims) {
        return std(new int[] {axis}, keepDims);
    }

    private int[] allAxes() {
        int[] axes = new int[rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    // ---------------------------------------------------------------- linear algebra and vision

    /**
     * Matrix product: [m, k] x [k, n] -> [m, n]; batched over leading axes ([..., m, k] x [..., k, n]),
     * broadcasting the batch axes.
     *
     * @param other the right-hand matrices [..., k, n]
     * @return the products [..., m, n]
     */
    public Tensor matmul(Tensor other) {
        return MatMul.apply(this, other);
    }

    /**
     * Layer normalisation over the trailing axes of weight's shape: each row of those axes minus its
     * mean, times 1 / sqrt(biased variance + eps), times weight, plus bias (see {@code ops.LayerNorm}).
     *
     * @param weight the scale, of the normalised axes' shape
     * @param bias the shift, of weight's shape
     * @param eps added to the variance
     * @return the normalised tensor, of this shape
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, double eps) {
        return org.trainer.core.ops.LayerNorm.apply(this, weight, bias, eps);
    }

    /**
     * The dense-layer map this x weight^T + bias, with weight [out, in] (PyTorch's layout) and an
     * optional bias [out]; this is [..., in].
     *
     * @param weight [out, in]
     * @param bias [out], or null for none
     * @return [..., out]
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return Linear.apply(this, weight, bias);
    }

    /**
     * 2-D convolution (cross-correlation, as PyTorch) of this [N, C, H, W] with weight
     * [OC, C, KH, KW] plus an optional bias [OC].
     *
     * @param weight the kernels [OC, C, KH, KW]
     * @param bias [OC], or null for none
     * @param stride the step between windows, on both axes
     * @param padding the zeros added on every side
     * @param dilation the spacing of kernel taps, 1 for none
     * @return [N, OC, OH, OW]
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return conv2d(weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation});
    }

    /**
     * 2-D convolution with per-axis (height, width) stride, padding and dilation.
     *
     * @param weight the kernels [OC, C, KH, KW]
     * @param bias [OC], or null for none
     * @param stride {height, width} steps
     * @param padding {height, width} zeros on each side
     * @param dilation {height, width} spacing of kernel taps
     * @return [N, OC, OH, OW]
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        return Conv2d.apply(this, weight, bias, stride, padding, dilation);
    }

    /**
     * Max pooling over [N, C, H, W] windows (padding counts as -infinity).
     *
     * @param kernel the window size, on both axes
     * @param stride the step between windows
     * @param padding the padding on every side
     * @return [N, C, OH, OW]
     */
    public Tensor maxPool2d(int kernel, int stride, int padding) {
        return Pool2d.max(this, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1});
    }

    /**
     * Max pooling over [N, C, H, W] with per-axis (height, width) kernel, stride, padding and dilation.
     *
     * @param kernel {height, width} window size
     * @param stride {height, width} steps
     * @param padding {height, width} padding on each side
     * @param dilation {height, width} spacing of window taps
     * @return [N, C, OH, OW]
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return Pool2d.max(this, kernel, stride, padding, dilation);
    }

    /**
     * Average pooling over [N, C, H, W] windows; zero padding counts in the divisor.
     *
     * @param kernel the window size, on both axes
     * @param stride the step between windows
     * @param padding the zeros added on every side
     * @return [N, C, OH, OW]
     */
    public Tensor avgPool2d(int kernel, int stride, int padding) {
        return Pool2d.avg(this, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding});
    }

    /**
     * Average pooling over [N, C, H, W] with per-axis (height, width) kernel, stride and padding; zero padding counts
     * in the divisor.
     *
     * @param kernel {height, width} window size
     * @param stride {height, width} steps
     * @param padding {height, width} zeros on each side
     * @return [N, C, OH, OW]
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding) {
        return Pool2d.avg(this, kernel, stride, padding);
    }

    /**
     * Slices along an axis picked by an int32 index tensor (rank 1): the embedding lookup.
     *
     * @param axis the axis to pick along
     * @param index int32 indices, rank 1, each in [0, size(axis))
     * @return this tensor's shape with size(axis) replaced by index.numel()
     */
    public Tensor indexSelect(int axis, Tensor index) {
        return IndexSelect.apply(this, axis, index);
    }

    // ---------------------------------------------------------------- display

    @Override
    public String toString() {
        int n = Math.min(numel(), 20);
        StringBuilder sb = new StringBuilder("Tensor(").append(Shapes.str(shape)).append(", ").append(dtype());
        if (!device().equals(Device.CPU)) {
            sb.append(", ").append(device());
        }
        sb.append(", [");
        double[] v = n == 0 ? new double[0] : Arrays.copyOf(toDoubleArray(), n);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(dtype() == DType.INT32 ? String.valueOf((int) v[i]) : String.valueOf(v[i]));
        }
        if (numel() > n) {
            sb.append(", ...");
        }
        sb.append("]");
        if (gradFn != null) {
            sb.append(", gradFn=").append(gradFn.name());
        } else if (requiresGrad) {
            sb.append(", requiresGrad");
        }
        return sb.append(')').toString();
    }
}
