package org.trainer.core.backend.cpu;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the JDK's Vector API ({@code jdk.incubator.vector}) is loaded, and the one notice on
 * standard error when it is not. The module must be added at run time; without it the CPU kernels
 * fall back to portable loops, about 8 times slower for training. An slf4j message alone would be
 * lost in an application without an slf4j binding, so the notice goes to {@code System.err}, once
 * per JVM, naming the flag and every place it can go. {@code -Dtrainer.vector.warning=false} turns
 * the notice off.
 */
final class VectorSupport {
    /** The JVM option that loads the module. */
    static final String FLAG = "--add-modules jdk.incubator.vector";

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private VectorSupport() {
    }

    /** True when the {@code jdk.incubator.vector} module is in the boot layer. */
    static boolean present() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
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
}
