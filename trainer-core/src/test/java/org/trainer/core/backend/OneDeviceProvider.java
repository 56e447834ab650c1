package org.trainer.core.backend;

import java.util.function.Supplier;

/**
 * A provider, for tests, of a device type that is always available and has index 0 only: the
 * providers of {@link TestDevice} and {@link PrimitiveBackend} differ in nothing else.
 */
abstract class OneDeviceProvider implements BackendProvider {
    private final String type;
    private final Supplier<Backend> backend;

    /**
     * @param type    the device type
     * @param backend makes the backend of index 0
     */
    OneDeviceProvider(String type, Supplier<Backend> backend) {
        this.type = type;
        this.backend = backend;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final boolean isAvailable() {
        return true;
    }

    @Override
    public final String unavailableReason() {
        return null;
    }

    @Override
    public final Backend create(int index) {
        if (index != 0) {
            throw new IllegalArgumentException(type + " device: only index 0 exists, got " + index);
        }
        return backend.get();
    }
}
