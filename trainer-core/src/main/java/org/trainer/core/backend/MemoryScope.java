package org.trainer.core.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.DType;

/**
 * Reuse of tensor memory across training steps. Storages allocated on a thread while a scope is
 * open are handed back to the scope's {@link Pool} when it closes, and the next step's allocations
 * of the same dtype and size take them from there, so a steady-state step allocates no tensor memory.
 *
 * <p>The contract: a tensor created inside a scope must not be used after the scope closes. The
 * trainer opens one scope per step around forward, loss and backward; state that outlives a step
 * (gradients of leaves, optimizer moments, running statistics) is allocated in
 * {@link #persistent()} blocks or updated in place.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();
    /**
     * Whether storages handed back to a pool are first filled with NaN (integer storages with
     * Integer.MIN_VALUE), so that a tensor kept past its step shows garbage at once instead of
     * silently taking the next step's values: a debugging aid, off by default, turned on with
     * {@code -Dtrainer.memory.poison=true} or {@link #setPoison(boolean)}.
     */
    private static volatile boolean poison = Boolean.getBoolean("trainer.memory.poison");

    private final Pool pool;
    private final MemoryScope outer;
    private final List<Storage> allocated = new ArrayList<>();
    private final Thread owner = Thread.currentThread();

    private MemoryScope(Pool pool, MemoryScope outer) {
        this.pool = pool;
        this.outer = outer;
    }

    /**
     * Opens a scope on this thread whose storages return to {@code pool} on close.
     *
     * @param pool the pool that recycles the storages
     * @return the scope
     */
    public static MemoryScope open(Pool pool) {
        MemoryScope s = new MemoryScope(pool, CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /**
     * Suspends pooling on this thread until the returned scope closes: allocations there are ordinary.
     *
     * @return the scope
     */
    public static MemoryScope persistent() {
        MemoryScope s = new MemoryScope(null, CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /**
     * A zero-filled storage: from the open scope's pool when there is one, else newly allocated.
     *
     * @param backend the backend
     * @param dtype the element type
     * @param size the number of elements
     * @return the storage
     */
    public static Storage allocate(Backend backend, DType dtype, int size) {
        return allocate(backend, dtype, size, true);
    }

    /**
     * A storage whose contents are unspecified (zeros when new, a previous step's values when
     * recycled), for an output that the caller overwrites entirely: recycling then skips a fill.
     *
     * @param backend the backend
     * @param dtype the element type
     * @param size the number of elements
     * @return the storage
     */
    public static Storage allocateForOverwrite(Backend backend, DType dtype, int size) {
        return allocate(backend, dtype, size, false);
    }

    private static Storage allocate(Backend backend, DType dtype, int size, boolean zeroed) {
        MemoryScope s = CURRENT.get();
        if (s == null || s.pool == null) {
            return backend.allocate(dtype, size);
        }
        Storage st = s.pool.take(backend, dtype, size);
        if (st == null) {
            s.pool.misses++;
            st = backend.allocate(dtype, size);
        } else if (zeroed) {
            backend.fill(st, 0);
        }
        s.allocated.add(st);
        return st;
    }

    /**
     * Takes {@code keep}, a storage the innermost open scope allocated, out of that scope, so that
     * it outlives it, and hands the scope {@code giveBack} in its place (a storage of the same
     * backend, dtype and size that is no longer needed, or null), so that the pool stays as full as
     * before. How a gradient computed in a step becomes a parameter's gradient without a copy.
     * Returns false, changing nothing, when no pooling scope is open or {@code keep} is not its own.
     *
     * @param keep the storage taken out of the scope
     * @param giveBack the storage handed to the scope
     * @return whether the exchange took place
     * @throws IllegalArgumentException if {@code giveBack} differs from {@code keep} in backend, dtype or size
     */
    public static boolean exchange(Storage keep, Storage giveBack) {
        if (giveBack != null && (giveBack.backend() != keep.backend() || giveBack.dtype() != keep.dtype()
                || giveBack.size() != keep.size())) {
            throw new IllegalArgumentException("MemoryScope.exchange: giveBack (" + giveBack.dtype() + " x "
                    + giveBack.size() + ") must match keep (" + keep.dtype() + " x " + keep.size() + ")");
        }
        MemoryScope s = CURRENT.get();
        if (s == null || s.pool == null) {
            return false;
        }
        List<Storage> a = s.allocated;
        for (int k = a.size() - 1; k >= 0; k--) {
            if (a.get(k) == keep) {
                if (giveBack == null) {
                    a.remove(k);
                } else {
                    a.set(k, giveBack);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Turns the NaN filling of released step memory on or off (see the class comment); for debugging.
     *
     * @param on whether to fill with NaN
     */
    public static void setPoison(boolean on) {
        poison = on;
    }

    /**
     * Whether released step memory is filled with NaN.
     *
     * @return whether poisoning is on
     */
    public static boolean poison() {
        return poison;
    }

    /**
     * Whether {@code s} is memory of a pooling scope open on this thread: memory that the next step
     * reuses, which nothing that outlives the step (a module's buffer, a parameter) may hold.
     *
     * @param s a storage
     * @return whether it is step memory
     */
    public static boolean isStepMemory(Storage s) {
        for (MemoryScope m = CURRENT.get(); m != null; m = m.outer) {
            if (m.pool != null) {
                List<Storage> a = m.allocated;
                for (int k = a.size() - 1; k >= 0; k--) {
                    if (a.get(k) == s) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("MemoryScope: a scope must be closed on the thread that opened it");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("MemoryScope: scopes must be closed innermost first");
        }
        CURRENT.set(outer);
        if (pool != null) {
            if (poison) {
                for (Storage st : allocated) {
                    st.backend().fill(st, st.dtype().isFloating() ? Double.NaN : Integer.MIN_VALUE);
                }
            }
            allocated.forEach(pool::give);
            allocated.clear();
        }
    }

    /** Free storages by backend, dtype and size. Not thread-safe: one pool per training thread. */
    public static final class Pool {
        private final Map<Key, ArrayDeque<Storage>> free = new HashMap<>();
        private long bytes;
        private long misses;

        /**
         * A pool's key. Its equals and hashCode are written out rather than generated: the generated
         * ones are bootstrapped through {@code ObjectMethods} and method handles on first use, which
         * every run pays in its first step.
         */
        private record Key(Backend backend, DType dtype, int size) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && size == k.size && dtype == k.dtype && backend.equals(k.backend);
            }

            @Override
            public int hashCode() {
                return (31 * backend.hashCode() + dtype.hashCode()) * 31 + size;
            }
        }

        Storage take(Backend backend, DType dtype, int size) {
            ArrayDeque<Storage> q = free.get(new Key(backend, dtype, size));
            Storage s = q == null ? null : q.poll();
            if (s != null) {
                bytes -= (long) size * dtype.bytes();
            }
            return s;
        }

        void give(Storage s) {
            free.computeIfAbsent(new Key(s.backend(), s.dtype(), s.size()), k -> new ArrayDeque<>()).push(s);
            bytes += (long) s.size() * s.dtype().bytes();
        }

        /**
         * Bytes held for reuse.
         *
         * @return the bytes
         */
        public long bytes() {
            return bytes;
        }

        /**
         * Allocations the pool could not serve (new memory); flat in a steady state.
         *
         * @return the misses
         */
        public long misses() {
            return misses;
        }
    }
}
