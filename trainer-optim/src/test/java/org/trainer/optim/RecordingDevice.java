package org.trainer.optim;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.BackendProvider;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;

/**
 * A device for tests that watch how the optimizers call the backend: device type "recording",
 * index 0, whose backend runs every primitive on the CPU backend (so results are the CPU's, bit for
 * bit) and writes down each optimizer step it is asked for. Registered through
 * {@code META-INF/services} of the test class path.
 */
public final class RecordingDevice implements BackendProvider {
    static final Device DEVICE = new Device("recording", 0);

    private static final List<String> STEPS = new ArrayList<>();

    /** The optimizer steps asked for since the last call, e.g. "sgdSteps n=3 first=true", and forgets them. */
    static synchronized List<String> takeSteps() {
        List<String> s = List.copyOf(STEPS);
        STEPS.clear();
        return s;
    }

    private static synchronized void record(String step) {
        STEPS.add(step);
    }

    @Override
    public String type() {
        return DEVICE.type();
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend create(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("recording device: only index 0 exists, got " + index);
        }
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                new Forward(Backends.cpu()));
    }

    /** A storage of the recording device: a CPU storage underneath. */
    record RecordedStorage(Storage inner, Backend backend) implements Storage {
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
                    return "recording device backend";
                case "sgdStep":
                    record("sgdStep first=" + args[8]);
                    break;
                case "sgdSteps":
                    record("sgdSteps n=" + ((Storage[]) args[0]).length + " first=" + args[8]);
                    break;
                case "adamStep":
                    record("adamStep step=" + args[11]);
                    break;
                case "adamSteps":
                    record("adamSteps n=" + ((Storage[]) args[0]).length + " step=" + args[11]);
                    break;
                default:
                    break;
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
            return out instanceof Storage s ? new RecordedStorage(s, (Backend) proxy) : out;
        }

        private Object unwrap(Object proxy, Method method, Object arg) {
            if (arg instanceof RecordedStorage t) {
                if (t.backend() != proxy) {
                    throw new IllegalArgumentException("recording backend: storage of another backend");
                }
                return t.inner();
            }
            if (arg instanceof Storage s && !method.getName().equals("copyFrom")) {
                throw new IllegalArgumentException("recording backend: " + method.getName()
                        + " got a storage that lives on another device: " + s);
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
