package org.trainer.core;

import java.util.Objects;

/** Where a tensor lives: a backend type ("cpu", "cuda") and an index. */
public record Device(String type, int index) {

    /** The host: the CPU backend. */
    public static final Device CPU = new Device("cpu", 0);

    /**
     * Checks the type is given and the index non-negative.
     *
     * @param type "cpu" or "cuda"
     * @param index the device's index, at least 0
     */
    public Device {
        Objects.requireNonNull(type, "type");
        if (index < 0) {
            throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
        }
    }

    /**
     * The CUDA device with this index (0 for the first GPU).
     *
     * @param index the GPU's index
     * @return the device
     */
    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    /**
     * A device from its name as {@link #toString()} writes it, as in PyTorch: "cpu", "cuda" (index
     * 0) or "cuda:1".
     *
     * @param name the device's name
     * @return the device
     * @throws IllegalArgumentException if {@code name} is not TYPE or TYPE:INDEX with a lower-case type and an index >= 0
     */
    public static Device parse(String name) {
        Objects.requireNonNull(name, "name");
        String s = name.trim();
        int colon = s.indexOf(':');
        String type = colon < 0 ? s : s.substring(0, colon);
        if (!type.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Device.parse: expected 'cpu', 'cuda' or 'cuda:INDEX', got '" + name + "'");
        }
        int index = 0;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Device.parse: the index after ':' must be a number >= 0, got '"
                        + name + "'");
            }
        }
        return type.equals("cpu") && index == 0 ? CPU : new Device(type, index);
    }

    /**
     * Equal type and index. Written out, as is {@link #hashCode}, rather than left to the record's
     * generated methods: a device is a map key on the way to a CPU run's first step, and the generated
     * ones are bootstrapped through {@code ObjectMethods} and method handles on first use.
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Device d && index == d.index && type.equals(d.type);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + index;
    }

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
