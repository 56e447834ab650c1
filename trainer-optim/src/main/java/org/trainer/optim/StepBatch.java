package org.trainer.optim;

import java.util.Arrays;

import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Storage;

/**
 * Parameters of one group gathered for a single group step ({@link Fused.Sgd#sgdSteps},
 * {@link org.trainer.core.backend.Fused.Adam#adamSteps}): consecutive parameters that live on the same backend and share the
 * step's scalars, which a key stands for (SGD's first-step flag, Adam's step count). Each parameter
 * adds its storages, one per list (w, g, then its state buffers). The arrays handed to the backend
 * are kept and reused while the batch keeps its size, so a steady run of steps allocates nothing.
 */
final class StepBatch {
    private final Storage[][] items;
    private final Storage[][] exact;
    private Backend backend;
    private long key;
    private int count;

    /** A batch of {@code lists} storages per parameter. */
    StepBatch(int lists) {
        this.items = new Storage[lists][8];
        this.exact = new Storage[lists][];
    }

    /** Whether a parameter on {@code b} with scalars {@code k} joins the batch (always, while it is empty). */
    boolean accepts(Backend b, long k) {
        return count == 0 || (b == backend && k == key);
    }

    /** Adds a parameter; {@link #accepts} must hold. Storages past the batch's lists are ignored. */
    void add(Backend b, long k, Storage s0, Storage s1, Storage s2, Storage s3, Storage s4) {
        if (count == items[0].length) {
            for (int l = 0; l < items.length; l++) {
                items[l] = Arrays.copyOf(items[l], 2 * count);
            }
        }
        backend = b;
        key = k;
        put(0, s0);
        put(1, s1);
        put(2, s2);
        put(3, s3);
        put(4, s4);
        count++;
    }

    private void put(int l, Storage s) {
        if (l < items.length) {
            items[l][count] = s;
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    Backend backend() {
        return backend;
    }

    long key() {
        return key;
    }

    /** List l of the gathered parameters, as an array of exactly their number. */
    Storage[] list(int l) {
        Storage[] a = exact[l];
        if (a == null || a.length != count) {
            a = new Storage[count];
            exact[l] = a;
        }
        System.arraycopy(items[l], 0, a, 0, count);
        return a;
    }

    /** Empties the batch, dropping its references so that no gradient outlives its step here. */
    void clear() {
        for (int l = 0; l < items.length; l++) {
            Arrays.fill(items[l], 0, count, null);
            if (exact[l] != null) {
                Arrays.fill(exact[l], null);
            }
        }
        count = 0;
        backend = null;
    }
}
