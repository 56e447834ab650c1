package org.trainer.spark;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Runs another program's {@code main} in this JVM and ends the JVM when a given process (the test
 * JVM that started it) ends, so that no Spark daemon outlives a test JVM that was killed:
 * {@code java ... DiesWithParent <parent pid> <main class> <args...>}. The JVM ends through
 * {@link System#exit}, so that a Spark Worker's shutdown hook still kills the executors it started.
 */
public final class DiesWithParent {
    private DiesWithParent() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("DiesWithParent: expected <parent pid> <main class> [args...], got "
                    + Arrays.toString(args));
        }
        long parentPid = Long.parseLong(args[0]);
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            System.exit(3);
        }
        parent.get().onExit().thenRun(() -> System.exit(3));
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
