package org.trainer.distributed;

import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.trainer.core.io.AtomicFile;

/**
 * The entry point of one rank started by {@link ProcessLauncher}: reads its rank and the job's
 * settings from the environment, joins the collective, runs the job's function and, on rank 0,
 * writes its result. Exits 0 on success and 1 on failure, after printing a line that starts with
 * {@link #FAILED}; exits at once when the launcher's process is gone.
 */
public final class RankMain {
    static final String FUNCTION = "function.ser";
    static final String FAILED = "RANK FAILED:";

    private RankMain() {
    }

    static String result(int attempt) {
        return "result-" + attempt + ".ser";
    }

    /**
     * Runs this rank as the environment set by {@link ProcessLauncher} describes it, then exits.
     *
     * @param args not used: the settings come from the environment
     */
    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        int rank = -1;
        try {
            rank = Integer.parseInt(require(env, ProcessLauncher.RANK));
            int world = Integer.parseInt(require(env, ProcessLauncher.WORLD_SIZE));
            int attempt = Integer.parseInt(require(env, ProcessLauncher.ATTEMPT));
            Path dir = Path.of(require(env, ProcessLauncher.WORK_DIR));
            watchLauncher(Long.parseLong(require(env, ProcessLauncher.LAUNCHER_PID)));
            DistributedFunction<?> fn;
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(dir.resolve(FUNCTION)))) {
                fn = (DistributedFunction<?>) in.readObject();
            }
            TcpCollective.Options options = TcpCollective.Options.defaults()
                    .withSecret(TcpCollective.Options.fromHex(require(env, ProcessLauncher.SECRET)))
                    .withJobId(require(env, ProcessLauncher.RUN_ID))
                    .withTimeout(Duration.ofMillis(Long.parseLong(require(env, ProcessLauncher.TIMEOUT_MS))))
                    .withSharedMemory(!"false".equals(env.get(ProcessLauncher.SHARED_MEMORY)));
            Object result;
            TcpCollective c = TcpCollective.connect(rank, world,
                    new FileRendezvous(dir.resolve("rendezvous-" + attempt), require(env, ProcessLauncher.RUN_ID)),
                    options);
            try {
                result = fn.apply(new DistributedContext(c, attempt));
                c.barrier();
            } catch (Throwable t) {
                c.abort("rank " + rank + " failed: " + t);
                throw t;
            } finally {
                c.close();
            }
            if (rank == 0) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(result);
                }
                AtomicFile.write(dir.resolve(result(attempt)), bytes.toByteArray());
            }
            System.out.flush();
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.println(FAILED + " rank " + rank + ": " + t);
            System.out.flush();
            System.exit(1);
        }
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("RankMain: environment variable " + name + " is not set; ranks are started "
                    + "by ProcessLauncher");
        }
        return v;
    }

    /** A rank must not outlive its launcher: a daemon thread exits the JVM once the launcher's process is gone. */
    private static void watchLauncher(long pid) {
        Thread t = new Thread(() -> {
            while (true) {
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    System.out.println(FAILED + " the launcher (pid " + pid + ") is gone");
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
            }
        }, "launcher-watch");
        t.setDaemon(true);
        t.start();
    }
}
