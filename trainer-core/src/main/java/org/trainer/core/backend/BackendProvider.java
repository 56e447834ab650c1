package org.trainer.core.backend;

/**
 * Service interface through which backends are found ({@link java.util.ServiceLoader}). A
 * provider names its device type ("cpu", "cuda") and creates the backend for a device index, or
 * explains why it cannot.
 */
public interface BackendProvider {

    /**
     * The device type this provider serves, e.g. "cpu" or "cuda".
     *
     * @return the device type
     */
    String type();

    /**
     * Whether a device of this type can be used here; when not, {@link #unavailableReason()} says why.
     *
     * @return whether a device is usable
     */
    boolean isAvailable();

    /**
     * Why the provider is unavailable, or an empty string when it is available.
     *
     * @return the reason, or ""
     */
    String unavailableReason();

    /**
     * The backend for the device with this index.
     *
     * @param index the device's index
     * @return the backend
     */
    Backend create(int index);
}
