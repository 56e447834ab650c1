package org.trainer.cuda;

/**
 * Where the caching allocator gets memory from: the driver on a device, or a fake in tests.
 *
 * @param <P> the pointer type
 */
interface RawMemory<P> {
    /** A new block of at least {@code bytes}, or null when the device has no room for it. */
    P allocate(long bytes);

    void free(P pointer);

    /** The device's own view of its memory, for error messages (e.g. "1.2 GiB free of 80 GiB"). */
    String describe();
}
