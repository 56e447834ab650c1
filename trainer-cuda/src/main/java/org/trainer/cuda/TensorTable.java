package org.trainer.cuda;

import java.util.Arrays;

/**
 * The table of tensors that one launch of a multi-tensor kernel updates (optim.cu's
 * {@code TensorTable<L>}), passed to the kernel by value as a {@code long[]}. Each of the
 * {@code lists} lists holds one storage per tensor (w, g, then the state buffers).
 *
 * <p>The layout is that of the C struct: 64-bit words only, so there is no padding, and the struct
 * is the arrays one after another, each {@link #CAPACITY} long:
 * <pre>
 *   addr[lists][CAPACITY]     device addresses
 *   size[CAPACITY]            element counts
 *   blockStart[CAPACITY + 1]  first block of each tensor; from the tensor count on, the block total
 * </pre>
 * Every block takes {@link #CHUNK} elements of one tensor, so tensor i owns blocks
 * blockStart[i] .. blockStart[i + 1] - 1. Empty tensors take no entry.
 */
final class TensorTable {
    /** Tensors per launch: optim.cu's MT_MAX. Adam's table (five lists) is then 3,592 bytes of the 4 KB. */
    static final int CAPACITY = 64;
    /** Elements per block: optim.cu's MT_CHUNK. */
    static final int CHUNK = 2048;

    private final int lists;
    private final long[] words;
    private int count;
    private long blocks;

    /** An empty table of {@code lists} lists (3 for SGD: w, g, buf; 5 for Adam: w, g, m, v, vMax). */
    TensorTable(int lists) {
        if (lists != 3 && lists != 5) {
            throw new IllegalArgumentException("tensor table: the kernels take 3 or 5 lists, got " + lists);
        }
        this.lists = lists;
        this.words = new long[words(lists)];
    }

    /** The number of 64-bit words in the struct of {@code lists} lists: its size in bytes over 8. */
    static int words(int lists) {
        return (lists + 2) * CAPACITY + 1;
    }

    /** Whether the table holds {@link #CAPACITY} tensors, so that the next one needs a new launch. */
    boolean isFull() {
        return count == CAPACITY;
    }

    /** The number of blocks of the launch: the sum over tensors of ceil(size / CHUNK). */
    int blocks() {
        return (int) blocks;
    }

    /**
     * Adds a tensor of {@code size} elements with the storages of its lists, given as device
     * addresses in list order; a3 and a4 are ignored by a table of three lists. An empty tensor is
     * skipped.
     */
    void add(int size, long a0, long a1, long a2, long a3, long a4) {
        if (isFull()) {
            throw new IllegalStateException("tensor table: already holds " + CAPACITY + " tensors");
        }
        if (size == 0) {
            return;
        }
        words[count] = a0;
        words[CAPACITY + count] = a1;
        words[2 * CAPACITY + count] = a2;
        if (lists == 5) {
            words[3 * CAPACITY + count] = a3;
            words[4 * CAPACITY + count] = a4;
        }
        words[lists * CAPACITY + count] = size;
        words[(lists + 1) * CAPACITY + count] = blocks;
        blocks += (size + (long) CHUNK - 1) / CHUNK;
        count++;
    }

    /**
     * The struct to pass to the kernel: the entries of blockStart from the tensor count on are set to
     * the block total, so that the kernel's binary search never lands past the last tensor.
     */
    long[] struct() {
        int start = (lists + 1) * CAPACITY;
        Arrays.fill(words, start + count, start + CAPACITY + 1, blocks);
        return words;
    }

    /** Empties the table for the next launch. */
    void clear() {
        count = 0;
        blocks = 0;
    }
}
