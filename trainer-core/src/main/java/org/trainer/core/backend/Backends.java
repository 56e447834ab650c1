package org.trainer.core.backend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

import org.trainer.core.Device;

/** Finds backends through {@link ServiceLoader} and keeps one instance per device. */
public final class Backends {
    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

    private Backends() {
    }

    /**
     * The backend for {@code device}; fails naming the device type and the reason when none is usable.
     *
     * @param device the device
     * @return its backend
     */
    public static Backend get(Device device) {
        return BACKENDS.computeIfAbsent(device, Backends::create);
    }

    /**
     * The default backend: the CPU.
     *
     * @return the CPU backend
     */
    public static Backend cpu() {
        return get(Device.CPU);
    }

    /**
     * The provider for a device type, or null when none is on the class path.
     *
     * @param type the device type, e.g. "cuda"
     * @return the provider, or null
     */
    public static BackendProvider provider(String type) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            if (p.type().equals(type)) {
                return p;
            }
        }
        return null;
    }

    private static Backend create(Device device) {
        BackendProvider p = provider(device.type());
        if (p == null) {
            throw new IllegalStateException("no backend for device type '" + device.type()
                    + "': add the module that provides it (e.g. trainer-cuda for 'cuda') to the class path");
        }
        if (!p.isAvailable()) {
            throw new IllegalStateException("backend '" + device.type() + "' is unavailable: " + p.unavailableReason());
        }
        return p.create(device.index());
    }
}
