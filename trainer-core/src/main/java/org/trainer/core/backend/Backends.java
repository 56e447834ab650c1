package org.trainer.core.backend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

import org.trainer.core.Device;

/**
 * Keeps one backend per device: the CPU's, which ships in this module, created directly; any other
 * (CUDA) found through {@link ServiceLoader}. A provider lookup reads every jar of the class path
 * (opening each one), which in an application with a large class path cost a CPU run a noticeable
 * part of its start-up, so a run that only asks for the CPU never makes one.
 */
public final class Backends {
    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

    /** The CPU provider's class, named rather than imported so that this package does not depend on backend.cpu. */
    private static final String CPU_PROVIDER = "org.trainer.core.backend.cpu.CpuBackendProvider";

    private Backends() {
    }

    /**
     * The backend for {@code device}; fails naming the device type and the reason when none is usable.
     *
     * @param device the device
     * @return its backend
     */
    public static Backend get(Device device) {
        if (device == Device.CPU || device.equals(Device.CPU)) {
            return Cpu.BACKEND;
        }
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

    /** The CPU backend, created on first use from the provider that ships in this module. */
    private static final class Cpu {
        static final Backend BACKEND = createCpu();

        private static Backend createCpu() {
            BackendProvider p;
            try {
                p = (BackendProvider) Class.forName(CPU_PROVIDER).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the CPU backend provider " + CPU_PROVIDER + " cannot be created", e);
            }
            return p.create(0);
        }
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
