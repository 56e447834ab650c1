package org.trainer.core.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;

/**
 * A building block of a model: it owns named parameters, buffers (state that is saved but not
 * trained, such as batch norm's running statistics) and sub-modules, and maps an input tensor to an
 * output in {@link #forward}. Names are dotted paths ("body.0.weight"), as in PyTorch, so state
 * maps move between the two.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<BiConsumer<Module, Tensor>> forwardHooks = new CopyOnWriteArrayList<>();
    private boolean training = true;

    /**
     * Computes the module's output.
     *
     * @param input the input batch
     * @return the output batch
     */
    public abstract Tensor forward(Tensor input);

    /**
     * Runs {@link #forward} and then this module's forward hooks on its output, in the order they
     * were added. Containers ({@link Sequential}) run their sub-modules this way, so hooks see every
     * layer's output; a module called directly through {@code forward} runs no hooks.
     *
     * @param input the input batch
     * @return the output of {@link #forward}
     */
    public final Tensor apply(Tensor input) {
        Tensor out = forward(input);
        if (!forwardHooks.isEmpty()) {
            for (BiConsumer<Module, Tensor> h : forwardHooks) {
                h.accept(this, out);
            }
        }
        return out;
    }

    /**
     * Adds a hook that sees this module and its output after each {@link #apply}, e.g. to watch
     * activation statistics. A hook must not change the output; it runs on the thread of the forward
     * pass, so it should be cheap when it has nothing to do. Returns a handle that removes it.
     *
     * @param hook called with this module and its output
     * @return a handle whose {@code close()} removes the hook
     */
    public final HookHandle addForwardHook(BiConsumer<Module, Tensor> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("addForwardHook: hook must not be null");
        }
        forwardHooks.add(hook);
        return () -> forwardHooks.remove(hook);
    }

    /** Removes a hook added by {@link #addForwardHook}; removing it again does nothing. */
    @FunctionalInterface
    public interface HookHandle extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers a parameter under a name unique within this module. Returns it.
     *
     * @param name the parameter's name, without dots
     * @param p the parameter
     * @return {@code p}
     */
    protected final Parameter registerParameter(String name, Parameter p) {
        checkName(name);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers (or replaces) a buffer.
     *
     * @param name the buffer's name, without dots
     * @param value the buffer's value
     * @throws IllegalArgumentException if {@code value} lives in the memory of the open training step
     *                                  ({@link MemoryScope#isStepMemory}), which the next step reuses
     */
    protected final void registerBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) {
            checkName(name);
        }
        if (MemoryScope.isStepMemory(value.storage())) {
            throw new IllegalArgumentException("registerBuffer: buffer '" + name + "' of " + getClass().getSimpleName()
                    + " holds memory of the open training step, which the next step reuses: make it inside "
                    + "MemoryScope.persistent() or copy it there, or update the existing buffer in place");
        }
        buffers.put(name, value);
    }

    /**
     * The buffer registered under this name, or null if there is none.
     *
     * @param name the buffer's name
     * @return the buffer's value, or null
     */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /**
     * Registers a sub-module. Returns it.
     *
     * @param <M> the sub-module's type
     * @param name the sub-module's name, without dots
     * @param m the sub-module
     * @return {@code m}
     */
    protected final <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        return m;
    }

    /**
     * Replaces a registered sub-module, e.g. a new head for transfer learning.
     *
     * @param name the name of a registered sub-module (IllegalArgumentException if there is none)
     * @param m the new sub-module
     */
    public final void replaceModule(String name, Module m) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException("replaceModule: no sub-module named '" + name + "'; have "
                    + children.keySet());
        }
        children.put(name, m);
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("Module: name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("Module: name '" + name + "' is already registered in "
                    + getClass().getSimpleName());
        }
    }

    /**
     * Direct sub-modules by name, in registration order.
     *
     * @return the direct sub-modules by name
     */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Every parameter of this module and its descendants, by dotted name, in registration order.
     *
     * @return the parameters by dotted name
     */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, m) -> m.collectParameters(prefix + n + ".", out));
    }

    /**
     * Every parameter, in the order of {@link #namedParameters()}.
     *
     * @return the parameters
     */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Number of trainable scalars.
     *
     * @return the number of scalars of the trainable parameters
     */
    public long parameterCount() {
        return parameters().stream().filter(Parameter::isTrainable).mapToLong(Parameter::numel).sum();
    }

    /**
     * Parameters and buffers by dotted name: what a checkpoint or a safetensors file holds.
     *
     * @return the parameters' and buffers' values by dotted name
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p.value().detach()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, m) -> m.collectState(prefix + n + ".", out));
    }

    /**
     * Loads values by dotted name, all or nothing: every entry is checked before any is written, so
     * on refusal no parameter or buffer of this module has changed.
     *
     * <p>Refused (an {@link IllegalArgumentException} naming the entry): with {@code strict}, a
     * parameter or buffer that the state lacks, or an entry of the state that the module lacks; in
     * any case, an entry whose shape differs from its parameter's or buffer's, and a floating entry
     * for an integer buffer (its values would be truncated). Integer entries for floating ones are
     * converted, as PyTorch's {@code copy_} does. Without {@code strict}, absent and extra names are
     * skipped. Modified: the parameters and buffers named in the state (replaced by copies).
     *
     * @param state values by dotted name, e.g. read from a safetensors file
     * @param strict whether the names must match exactly
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Slot> slots = new LinkedHashMap<>();
        collectSlots("", slots);
        List<String> missing = new ArrayList<>();
        for (String name : slots.keySet()) {
            if (!state.containsKey(name)) {
                missing.add(name);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : state.keySet()) {
            if (!slots.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException("loadStateDict: missing " + missing + ", unexpected " + unexpected
                    + " (nothing was loaded)");
        }
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Tensor v = state.get(e.getKey());
            if (v == null) {
                continue;
            }
            Tensor own = e.getValue().current();
            String kind = e.getValue().parameter() != null ? "parameter" : "buffer";
            if (!java.util.Arrays.equals(own.shape(), v.shape())) {
                throw new IllegalArgumentException("loadStateDict: " + kind + " " + e.getKey() + " has shape "
                        + java.util.Arrays.toString(own.shape()) + ", got " + java.util.Arrays.toString(v.shape())
                        + " (nothing was loaded)");
            }
            if (!own.dtype().isFloating() && v.dtype().isFloating()) {
                throw new IllegalArgumentException("loadStateDict: " + kind + " " + e.getKey() + " is " + own.dtype()
                        + ", got " + v.dtype() + " (expected an integer dtype; nothing was loaded)");
            }
        }
        slots.forEach((name, slot) -> {
            Tensor v = state.get(name);
            if (v != null) {
                slot.load(v);
            }
        });
    }

    /** One parameter or buffer of the tree, by dotted name, for a load checked before it writes. */
    private record Slot(Module owner, String local, Parameter parameter) {
        Tensor current() {
            return parameter != null ? parameter.value() : owner.buffers.get(local);
        }

        void load(Tensor v) {
            if (parameter != null) {
                parameter.set(v);
                return;
            }
            Tensor old = owner.buffers.get(local);
            // A fresh tensor of the buffer's dtype and device: copy() is a float op, and buffers may be int.
            Tensor own = Tensor.zeros(old.backend(), old.dtype(), v.shape());
            owner.buffers.put(local, own.copyFrom(v.to(old.dtype()).to(old.device())));
        }
    }

    private void collectSlots(String prefix, Map<String, Slot> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, new Slot(this, n, p)));
        buffers.keySet().forEach(n -> out.put(prefix + n, new Slot(this, n, null)));
        children.forEach((n, m) -> m.collectSlots(prefix + n + ".", out));
    }

    /**
     * Training mode (dropout active, batch statistics). Applies to all descendants. Returns this.
     *
     * @return this module
     */
    public Module train() {
        setTraining(true);
        return this;
    }

    /**
     * Evaluation mode (dropout off, running statistics). Applies to all descendants. Returns this.
     *
     * @return this module
     */
    public Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean value) {
        training = value;
        children.values().forEach(m -> m.setTraining(value));
    }

    /**
     * Whether the module is in training mode (see {@link #train()} and {@link #eval()}).
     *
     * @return true in training mode, false in evaluation mode
     */
    public boolean isTraining() {
        return training;
    }

    /**
     * Moves every parameter and buffer of this module and its descendants to a device. Returns this.
     *
     * @param device the target device
     * @return this module
     */
    public Module to(org.trainer.core.Device device) {
        parameters.values().forEach(p -> p.to(device));
        try (MemoryScope keep = MemoryScope.persistent()) {
            buffers.replaceAll((n, b) -> b.to(device));
        }
        children.values().forEach(m -> m.to(device));
        return this;
    }

    /**
     * Converts every parameter and every floating buffer of this module and its descendants to a
     * floating dtype, as PyTorch's {@code model.double()} / {@code model.float()}; integer buffers
     * stay as they are. Optimizers built before the conversion still hold the old values: build them
     * after it. Returns this.
     *
     * @param dtype FLOAT32 or FLOAT64
     * @return this module
     * @throws IllegalArgumentException if dtype is not floating
     */
    public Module to(org.trainer.core.DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Module.to: dtype must be floating, got " + dtype);
        }
        parameters.values().forEach(p -> p.to(dtype));
        try (MemoryScope keep = MemoryScope.persistent()) {
            buffers.replaceAll((n, b) -> b.dtype().isFloating() && b.dtype() != dtype ? b.to(dtype).detach() : b);
        }
        children.values().forEach(m -> m.to(dtype));
        return this;
    }

    /** Zeroes the gradients of all parameters. */
    public void zeroGrad() {
        parameters().forEach(Parameter::zeroGrad);
    }

    /**
     * Freezes or unfreezes every parameter under a module path or with a dotted name: "" is every
     * parameter, "features" (or "features.") everything under the sub-module "features", and
     * "head.weight" that one parameter. Whole path segments match: "1" does not reach "10.weight".
     * Returns how many parameters were set.
     *
     * @param prefix a module path or dotted parameter name; "" for every parameter
     * @param trainable true to unfreeze, false to freeze
     * @return the number of parameters set
     */
    public int setTrainable(String prefix, boolean trainable) {
        int n = 0;
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            if (underPath(e.getKey(), prefix)) {
                e.getValue().setTrainable(trainable);
                n++;
            }
        }
        return n;
    }

    /** Whether a dotted name lies under a module path ("" or one ending in '.' matches as a plain prefix). */
    static boolean underPath(String name, String path) {
        if (path.isEmpty() || path.endsWith(".")) {
            return name.startsWith(path);
        }
        return name.equals(path) || name.startsWith(path + ".");
    }

    @Override
    public String toString() {
        if (children.isEmpty()) {
            return getClass().getSimpleName() + "(" + describe() + ")";
        }
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(\n");
        children.forEach((n, m) -> sb.append("  (").append(n).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }

    /**
     * The layer's settings for {@link #toString()}, e.g. "in=784, out=10".
     *
     * @return the settings, or "" when there are none
     */
    protected String describe() {
        return "";
    }
}
