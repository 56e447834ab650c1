package org.trainer.core.backend;

/**
 * Service interface through which backends are found ({@link java.util.ServiceLoader}). A
 * provider names its device type ("cpu", "cuda") and creates the backend for a device index, or
 * explains why it cannot.
 */
public interface BackendProvider {

    /** The device type this provider serves, e.g. "cpu" or "cuda". */
    String type();

    /** Whether a device of this type can be used here; when not, {@link #unavailableReason()} says why. */
    boolean isAvailable();

    /** Why the provider is unavailable, or an empty string when it is available. */
    String unavailableReason();

    /** The backend for the device with this index. */
    Backend create(int index);
}
