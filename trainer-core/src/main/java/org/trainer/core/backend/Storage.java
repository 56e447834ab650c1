package org.trainer.core.backend;

import org.trainer.core.DType;

/**
 * A flat, contiguous block of elements owned by one backend. Tensors are shaped views over a
 * storage; backends see only storages and the sizes passed to each primitive.
 */
public interface Storage {
    /**
     * The element type.
     *
     * @return the dtype
     */
    DType dtype();

    /**
     * Number of elements.
     *
     * @return the number of elements
     */
    int size();

    /**
     * The backend that allocated this storage and runs ops on it.
     *
     * @return the backend
     */
    Backend backend();
}
