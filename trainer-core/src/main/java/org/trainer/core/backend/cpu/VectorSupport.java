package org.trainer.core.backend.cpu;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the JDK's Vector API ({@code jdk.incubator.vector}) is loaded, and the one notice on
 * standard error when it is not. The module must be added at run time; without it the CPU kernels
 * fall back to portable loops, about 8 times slower for training. An slf4j message alone would be
 * lost in an application without an slf4j binding, so the notice goes to {@code System.err}, once
 * per JVM, naming the flag and every place it can go. {@code -Dtrainer.vector.warning=false} turns
 * the notice off. {@link #load} creates the kernels that use the module.
 */
final class VectorSupport {
    /**
     * The logger, created on first use: slf4j's set-up looks up its provider on the whole class path, and this
     * class is loaded with the CPU backend, long before anything here is logged (if ever).
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(VectorSupport.class);
    }

    /** The JVM option that loads the module. */
    static final String FLAG = "--add-modules jdk.incubator.vector";

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** Set once {@link #load} has created a Vector API kernel. */
    private static volatile boolean loaded;

    private VectorSupport() {
    }

    /** True when the {@code jdk.incubator.vector} module is in the boot layer. */
    static boolean present() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Whether a Vector API kernel has been loaded in this JVM (by a large product, a convolution, or
     * the kernel warm-up), so that one more kernel on the Vector API adds no cold start of its own;
     * small models never load it (see {@code StartupTest}).
     */
    static boolean loaded() {
        return loaded;
    }

    /**
     * Prints {@link #notice()} to {@code System.err} the first time it is called in a JVM without
     * the module (and without {@code -Dtrainer.vector.warning=false}); otherwise does nothing.
     */
    static void warnIfMissing() {
        if (!present() && !"false".equals(System.getProperty("trainer.vector.warning"))) {
            warnOnce(System.err);
        }
    }

    /** Prints the notice to {@code err} unless this JVM has printed it already; true when it printed. */
    static boolean warnOnce(PrintStream err) {
        if (!WARNED.compareAndSet(false, true)) {
            return false;
        }
        err.println(notice());
        err.flush();
        return true;
    }

    /** The notice: what is slow, the exact flag, and where to put it. */
    static String notice() {
        String n = System.lineSeparator();
        return "WARNING: trainer: the JDK module jdk.incubator.vector is not loaded, so the CPU kernels run on"
                + " portable loops, about 8x slower." + n
                + "  Add the JVM option " + FLAG + " (Java 17 and later), in one of:" + n
                + "    java command line:    java " + FLAG + " -cp ... your.Main" + n
                + "    Maven tests:          <argLine>" + FLAG + "</argLine> in the surefire/failsafe configuration" + n
                + "    Maven (exec:java):    a line " + FLAG + " in .mvn/jvm.config" + n
                + "    IDE:                  VM options of the run configuration" + n
                + "    any java launch:      JDK_JAVA_OPTIONS=\"" + FLAG + "\"" + n
                + "  (-Dtrainer.vector.warning=false hides this notice.)";
    }

    /**
     * A new instance of the Vector API kernel {@code vectorClass} of this package, created
     * reflectively so that nothing links against the module unless it is present; null (after
     * {@link #warnIfMissing}, or an INFO line that ends with {@code otherwise}) without the module,
     * when {@code wideOnly} and vectors hold fewer than 8 floats (VectorSgemmKernel's
     * {@code worthwhile}), or when the class does not link.
     *
     * @param kind        the kernel interface
     * @param vectorClass the simple name of the implementing class
     * @param wideOnly    whether narrower vectors than 8 floats rule the kernel out
     * @param otherwise   what runs instead, for the log
     * @param <K>         the kernel interface
     * @return the kernel, or null
     */
    static <K> K load(Class<K> kind, String vectorClass, boolean wideOnly, String otherwise) {
        if (!present()) {
            warnIfMissing();
            return null;
        }
        String pkg = VectorSupport.class.getPackageName() + ".";
        try {
            if (wideOnly && !(Boolean) Class.forName(pkg + "VectorSgemmKernel").getDeclaredMethod("worthwhile")
                    .invoke(null)) {
                Log.LOG.info("SIMD vectors narrower than 8 floats: {}", otherwise);
                return null;
            }
            K kernel = kind.cast(Class.forName(pkg + vectorClass).getDeclaredConstructor().newInstance());
            loaded = true;
            return kernel;
        } catch (ReflectiveOperationException | LinkageError e) {
            Log.LOG.info("Vector API {} unavailable ({}): {}", vectorClass, e.toString(), otherwise);
            return null;
        }
    }
}
