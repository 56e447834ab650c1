package org.trainer.core.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.trainer.core.DType;
import org.trainer.core.Device;

/**
 * A second device for tests that move tensors between devices on a machine without a GPU: device
 * type "test", index 0, whose backend runs every primitive on the CPU backend but keeps its own
 * storages, so that the tensor layer sees them as living elsewhere (an operation mixing them with
 * CPU tensors fails exactly as one mixing CPU and GPU tensors does); it offers the CPU's
 * capabilities, forwarded the same way. Registered through
 * {@code META-INF/services} of the test class path. Its device clock ({@link #CLOCK}) is off unless
 * a test sets it.
 */
public final class TestDevice extends OneDeviceProvider {
    public static final Device DEVICE = new Device("test", 0);

    /** How many storages moved onto the test device from another backend (uploads). */
    public static final AtomicLong UPLOADS = new AtomicLong();

    /**
     * Calls of each backend method on the test device so far: on a GPU each primitive is a kernel
     * launch (or a copy), so these counts show how many launches a piece of code costs.
     */
    public static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

    /** A backend call the test device logged: the method's name and its arguments as the caller passed them. */
    public record Call(String method, List<Object> args) {
    }

    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final List<Call> LOG = new ArrayList<>();

    /** From now on, logs the calls of these backend methods (with their arguments) for {@link #takeLog()}. */
    public static void log(String... methods) {
        LOGGED.addAll(Arrays.asList(methods));
    }

    /** The logged calls since the last take, in order, and forgets them. */
    public static List<Call> takeLog() {
        synchronized (LOG) {
            List<Call> r = List.copyOf(LOG);
            LOG.clear();
            return r;
        }
    }

    /** The test device's simulated clock, answering Backend.beginDeviceTiming and endDeviceTiming. */
    public static final Clock CLOCK = new Clock();

    /**
     * A device clock for tests of its users: off by default (beginDeviceTiming answers false, as on
     * the CPU); once {@link #busyNanos(long) set}, every measurement reports the set device time,
     * and the clock shows whether one is running and how many ended.
     */
    public static final class Clock {
        private volatile long busyNanos = -1;
        private volatile boolean running;
        private final AtomicInteger measurements = new AtomicInteger();

        /** Every measurement from now on reports {@code nanos} of device work; -1 turns the clock off. */
        public void busyNanos(long nanos) {
            busyNanos = nanos;
            running = false;
        }

        /** Whether a measurement is running (begun and not yet ended). */
        public boolean running() {
            return running;
        }

        /** How many measurements ended with a value since the clock was created. */
        public int measurements() {
            return measurements.get();
        }

        boolean begin() {
            running = busyNanos >= 0;
            return running;
        }

        long end() {
            if (!running) {
                return -1;
            }
            running = false;
            measurements.incrementAndGet();
            return busyNanos;
        }
    }

    /** The provider that {@link java.util.ServiceLoader} creates. */
    public TestDevice() {
        super(DEVICE.type(), () -> (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, new Forward(Backends.cpu())));
    }

    /** A storage of the test device: a CPU storage underneath. */
    record TestStorage(Storage inner, Backend backend) implements Storage {
        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public int size() {
            return inner.size();
        }
    }

    /** Forwards every call to the CPU backend, unwrapping storages on the way in and wrapping them on the way out. */
    private static final class Forward implements InvocationHandler {
        private final Backend cpu;

        Forward(Backend cpu) {
            this.cpu = cpu;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "device":
                    return DEVICE;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "test device backend";
                case "beginDeviceTiming":
                    return CLOCK.begin();
                case "endDeviceTiming":
                    return CLOCK.end();
                case "capability":
                    return capability(proxy, (Class<?>) args[0]);
                default:
                    break;
            }
            CALLS.computeIfAbsent(method.getName(), k -> new AtomicLong()).incrementAndGet();
            if (LOGGED.contains(method.getName())) {
                synchronized (LOG) {
                    LOG.add(new Call(method.getName(), Arrays.asList(args.clone())));
                }
            }
            Object[] in = args == null ? null : args.clone();
            if (in != null) {
                for (int k = 0; k < in.length; k++) {
                    in[k] = unwrap(proxy, method, in[k]);
                }
            }
            Object out;
            try {
                out = method.invoke(cpu, in);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return out instanceof Storage s ? new TestStorage(s, (Backend) proxy) : out;
        }

        /**
         * The CPU's capability of that type, forwarded as the primitives are: its methods unwrap this
         * device's storages, count their calls and wrap what they return.
         */
        private Optional<?> capability(Object proxy, Class<?> type) {
            if (!type.isInstance(cpu)) {
                return Optional.empty();
            }
            return Optional.of(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (p, m, a) -> invoke(proxy, m, a)));
        }

        private Object unwrap(Object proxy, Method method, Object arg) {
            if (arg instanceof TestStorage t) {
                if (t.backend() != proxy) {
                    throw new IllegalArgumentException("test backend: storage of another backend");
                }
                return t.inner();
            }
            if (arg instanceof Storage s) {
                if (!method.getName().equals("copyFrom")) {
                    throw new IllegalArgumentException("test backend: " + method.getName()
                            + " got a storage that lives on another device: " + s);
                }
                UPLOADS.incrementAndGet();
                return s;
            }
            if (arg instanceof Storage[] a) {
                Storage[] r = new Storage[a.length];
                for (int k = 0; k < a.length; k++) {
                    r[k] = (Storage) unwrap(proxy, method, a[k]);
                }
                return r;
            }
            return arg;
        }
    }
}
