package org.trainer.cuda;

import java.lang.ref.Cleaner;

import jcuda.driver.CUdeviceptr;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Storage;

/**
 * A contiguous block of device memory holding {@code size} elements of one dtype. The Storage SPI
 * has no close: when a storage becomes unreachable, a cleaner hands its block back to the device's
 * caching allocator, which reuses it for the next request of that size. Work already queued on
 * the block stays ordered before any later reuse, since everything runs on one stream.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final CudaDevice device;
    private final DType dtype;
    private final int size;
    private final CUdeviceptr pointer;
    private final long address;

    CudaStorage(CudaBackend backend, CudaDevice device, DType dtype, int size) {
        this.backend = backend;
        this.device = device;
        this.dtype = dtype;
        this.size = size;
        CudaMemoryPool.Block<CUdeviceptr> block = device.pool.allocate(bytes(), "a " + dtype + " storage of " + size
                + " elements");
        this.pointer = block.pointer;
        this.address = Address.of(pointer);
        CudaMemoryPool<CUdeviceptr> pool = device.pool;
        // The action must not capture this storage, or it would never become unreachable.
        CLEANER.register(this, () -> pool.release(block));
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    CudaDevice device() {
        return device;
    }

    CUdeviceptr pointer() {
        return pointer;
    }

    /** The device address of the first element, as kernels that take addresses in a table want it. */
    long address() {
        return address;
    }

    long bytes() {
        return (long) size * dtype.bytes();
    }

    @Override
    public String toString() {
        return "CudaStorage[" + dtype + ", " + size + ", cuda:" + device.context.index() + "]";
    }

    /**
     * Reads a pointer's device address, which JCuda keeps in protected fields: the copy constructor
     * of a subclass takes them over (the native value and the byte offset, whose sum JCuda passes
     * to the driver), and the subclass may read its own.
     */
    private static final class Address extends CUdeviceptr {
        private Address(CUdeviceptr p) {
            super(p);
        }

        static long of(CUdeviceptr p) {
            Address a = new Address(p);
            return a.getNativePointer() + a.getByteOffset();
        }
    }
}
