package org.trainer.core;

/**
 * Whether operations record the graph for backward, per thread. Open a no-grad scope with
 * {@link Tensor#noGrad()} in a try-with-resources block; closing it restores the previous mode.
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;
    private final Thread owner;

    GradMode(boolean enabled) {
        this.previous = ENABLED.get();
        this.owner = Thread.currentThread();
        ENABLED.set(enabled);
    }

    /**
     * Whether the current thread records operations for autograd.
     *
     * @return whether grad mode is on
     */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("GradMode: a scope must be closed on the thread that opened it");
        }
        ENABLED.set(previous);
    }
}
