package org.trainer.distributed;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.io.AtomicFile;

/**
 * Runs a {@link DistributedFunction} on N ranks, each in a JVM process of its own on this machine,
 * as {@code torchrun --nproc-per-node N} does for a script: the local counterpart of the Spark
 * launcher, and the way to use several cores' worth of separate heaps, or to rehearse a cluster
 * job on one machine.
 *
 * <p>Each rank runs {@link RankMain} with this JVM's class path (the function and its result are
 * Java-serialized, so both sides need the same classes), joins a {@link TcpCollective} on the
 * loopback address through a {@link FileRendezvous} in the work directory, with a secret made
 * fresh for the job and handed to the ranks in their environment, and calls the function. Rank 0's
 * return value is the result.
 *
 * <p><b>Failures.</b> When a rank exits with an error (or is killed), the others are given the
 * collective's timeout to notice (their collectives fail naming the lost rank, and they exit) and
 * are then killed; the attempt's failure names each rank's exit code and last error line. With
 * {@code maxAttempts} &gt; 1 the whole job then starts again, attempt number counting up
 * ({@link DistributedContext#attempt()}), so a job that checkpoints (rank 0 writing, the others
 * reading: {@code Checkpointing.Builder.writes}, or {@link DistributedContext#checkpoints}, which
 * also makes every rank resume from rank 0's choice) resumes where its newest checkpoint left it.
 * Ranks exit when the launcher's process dies, so no rank outlives it.
 *
 * <p>Each rank's standard output and error go to {@code attempt-<a>/rank-<r>.log} in the work
 * directory.
 */
public final class ProcessLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessLauncher.class);

    /** The environment variables a rank reads (see {@link RankMain}). */
    static final String RANK = "TRAINER_RANK";
    static final String WORLD_SIZE = "TRAINER_WORLD_SIZE";
    static final String ATTEMPT = "TRAINER_ATTEMPT";
    static final String RUN_ID = "TRAINER_RUN_ID";
    static final String WORK_DIR = "TRAINER_WORK_DIR";
    static final String SECRET = "TRAINER_SECRET";
    static final String TIMEOUT_MS = "TRAINER_TIMEOUT_MS";
    static final String LAUNCHER_PID = "TRAINER_LAUNCHER_PID";
    static final String SHARED_MEMORY = "TRAINER_SHARED_MEMORY";

    private final int processes;
    private final int maxAttempts;
    private final Duration timeout;
    private final List<String> jvmOptions;
    private final String classPath;
    private final Path workDirectory;
    private final boolean echo;
    private final boolean sharedMemory;

    private ProcessLauncher(Builder b) {
        this.echo = b.echo;
        this.sharedMemory = b.sharedMemory;
        this.processes = b.processes;
        this.maxAttempts = b.maxAttempts;
        this.timeout = b.timeout;
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.classPath = b.classPath;
        this.workDirectory = b.workDirectory;
    }

    /**
     * Two processes, one attempt, a 5-minute collective timeout, this JVM's class path, a fresh temporary work
     * directory.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code fn} on every rank and returns rank 0's result, starting the job again after a
     * failure while attempts remain.
     *
     * @param <R> the result type
     * @param fn the function every rank runs
     * @return rank 0's result
     * @throws LaunchException when every attempt failed, naming what failed in each
     */
    public <R extends Serializable> R run(DistributedFunction<R> fn) {
        Objects.requireNonNull(fn, "fn");
        byte[] function;
        try {
            function = serialize(fn);
        } catch (IOException e) {
            throw new IllegalArgumentException("ProcessLauncher: fn must be serializable with everything it captures, "
                    + "to be sent to the ranks; serializing it failed: " + e, e);
        }
        Path dir = workDirectory;
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("trainer-launch-");
            } else {
                Files.createDirectories(dir);
            }
            AtomicFile.write(dir.resolve(RankMain.FUNCTION), function);
        } catch (IOException e) {
            throw new UncheckedIOException("ProcessLauncher: cannot prepare the work directory " + dir, e);
        }
        String secret = TcpCollective.Options.toHex(TcpCollective.Options.newSecret());
        List<String> failures = new ArrayList<>();
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            String failure = runAttempt(dir, attempt, secret);
            if (failure == null) {
                return readResult(dir.resolve(RankMain.result(attempt)));
            }
            LOG.warn("attempt {} of {} failed: {}", attempt + 1, maxAttempts, failure);
            failures.add("attempt " + attempt + ": " + failure);
        }
        throw new LaunchException("ProcessLauncher: all " + maxAttempts + " attempt(s) of the job failed (logs in " + dir
                + "):\n  " + String.join("\n  ", failures), failures);
    }

    /** Runs one attempt to its end; null when every rank exited 0, else what failed. */
    private String runAttempt(Path dir, int attempt, String secret) {
        Path logs = dir.resolve("attempt-" + attempt);
        String runId = UUID.randomUUID().toString();
        List<Process> ranks = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        try {
            Files.createDirectories(logs);
            for (int r = 0; r < processes; r++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(jvmOptions);
                cmd.add("-cp");
                cmd.add(classPath);
                cmd.add(RankMain.class.getName());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                Path log = logs.resolve("rank-" + r + ".log");
                if (!echo) {
                    pb.redirectOutput(log.toFile());
                }
                Map<String, String> env = pb.environment();
                env.put(RANK, Integer.toString(r));
                env.put(WORLD_SIZE, Integer.toString(processes));
                env.put(ATTEMPT, Integer.toString(attempt));
                env.put(RUN_ID, runId);
                env.put(WORK_DIR, dir.toAbsolutePath().toString());
                env.put(SECRET, secret);
                env.put(TIMEOUT_MS, Long.toString(timeout.toMillis()));
                env.put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
                env.put(SHARED_MEMORY, Boolean.toString(sharedMemory));
                Process p = pb.start();
                ranks.add(p);
                if (echo) {
                    pumps.add(echo(p, log, "[rank " + r + "] "));
                }
            }
        } catch (IOException e) {
            ranks.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("ProcessLauncher: cannot start the ranks of attempt " + attempt, e);
        }
        Thread reaper = new Thread(() -> ranks.forEach(Process::destroyForcibly), "launcher-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            return await(ranks, pumps, logs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            ranks.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    /** Waits for every rank; after the first failure the others get the collective's timeout to finish. */
    private String await(List<Process> ranks, List<Thread> pumps, Path logs) throws InterruptedException {
        long deadline = Long.MAX_VALUE;
        while (true) {
            boolean running = false;
            boolean failed = false;
            for (Process p : ranks) {
                if (p.isAlive()) {
                    running = true;
                } else if (p.exitValue() != 0) {
                    failed = true;
                }
            }
            if (failed && deadline == Long.MAX_VALUE) {
                // A little more than the timeout: the survivors' own errors say which rank was lost.
                deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
            }
            if (!running || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(20);
        }
        List<String> bad = new ArrayList<>();
        for (Thread t : pumps) {
            t.join(2000); // the last lines of a rank that has exited
        }
        for (int r = 0; r < ranks.size(); r++) {
            Process p = ranks.get(r);
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                bad.add("rank " + r + " was still running and was killed");
            } else if (p.exitValue() != 0) {
                bad.add("rank " + r + " exited with code " + p.exitValue() + describeSignal(p.exitValue())
                        + lastError(logs.resolve("rank-" + r + ".log")));
            }
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    /** Copies a rank's output line by line into its log and, prefixed with its rank, onto this process's standard output. */
    private static Thread echo(Process p, Path log, String prefix) throws IOException {
        java.io.BufferedWriter file = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)); file) {
                String line;
                while ((line = in.readLine()) != null) {
                    file.write(line);
                    file.newLine();
                    file.flush();
                    System.out.println(prefix + line);
                }
            } catch (IOException e) {
                LOG.debug("{}output ended: {}", prefix, e.toString());
            }
        }, "launcher-echo-" + prefix.trim());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String describeSignal(int code) {
        return code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
    }

    /** The log's last line that reads like an error, or "" when there is none. */
    private static String lastError(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.startsWith(RankMain.FAILED)) {
                    return ": " + l.substring(RankMain.FAILED.length()).trim();
                }
            }
        } catch (IOException e) {
            return " (its log could not be read: " + e.getMessage() + ")";
        }
        return "";
    }

    private static byte[] serialize(Object o) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <R> R readResult(Path file) {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            return (R) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new LaunchException("ProcessLauncher: cannot read rank 0's result " + file + ": " + e, List.of());
        }
    }

    /** Options of {@link ProcessLauncher}; each setter validates its argument at once. */
    public static final class Builder {
        private int processes = 2;
        private int maxAttempts = 1;
        private Duration timeout = TcpCollective.Options.defaults().timeout();
        private final List<String> jvmOptions = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector"));
        private String classPath = System.getProperty("java.class.path");
        private Path workDirectory;
        private boolean echo;
        private boolean sharedMemory = true;

        private Builder() {
        }

        /**
         * Whether the ranks all-reduce through shared memory, as ranks on one machine do by default
         * ({@link TcpCollective.Options#withSharedMemory(boolean)}), or over their sockets.
         *
         * @param on whether to allow shared memory
         * @return this builder
         */
        public Builder sharedMemory(boolean on) {
            this.sharedMemory = on;
            return this;
        }

        /**
         * The number of ranks, each a process (>= 1).
         *
         * @param n the number of ranks
         * @return this builder
         */
        public Builder processes(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("ProcessLauncher: processes must be >= 1, got " + n);
            }
            this.processes = n;
            return this;
        }

        /**
         * How many times the job may be started in all (>= 1): 1 runs it once, 3 allows two restarts.
         *
         * @param n the number of attempts
         * @return this builder
         */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("ProcessLauncher: maxAttempts must be >= 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        /**
         * How long a rank's collective waits for the others before it fails naming them (positive).
         *
         * @param t the timeout
         * @return this builder
         */
        public Builder timeout(Duration t) {
            Objects.requireNonNull(t, "timeout");
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("ProcessLauncher: timeout must be positive, got " + t);
            }
            this.timeout = t;
            return this;
        }

        /**
         * Adds options for the ranks' JVMs (e.g. "-Xmx4g", "-Dtrainer.threads=1"); the Vector API module is added
         * already.
         *
         * @param options the options to add
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                jvmOptions.add(Objects.requireNonNull(o, "jvm option"));
            }
            return this;
        }

        /**
         * The ranks' class path (default: this JVM's).
         *
         * @param cp the class path
         * @return this builder
         */
        public Builder classPath(String cp) {
            if (cp == null || cp.isBlank()) {
                throw new IllegalArgumentException("ProcessLauncher: classPath must not be empty, got '" + cp + "'");
            }
            this.classPath = cp;
            return this;
        }

        /**
         * Also print every rank's output on this process's standard output, each line prefixed with
         * "[rank r] " (off by default: the output goes to the ranks' log files only).
         *
         * @param on whether to echo
         * @return this builder
         */
        public Builder echoOutput(boolean on) {
            this.echo = on;
            return this;
        }

        /**
         * Where the function, the rendezvous, the logs and the result go (default: a new temporary directory).
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder workDirectory(Path dir) {
            this.workDirectory = Objects.requireNonNull(dir, "workDirectory");
            return this;
        }

        /**
         * The launcher.
         *
         * @return the launcher
         */
        public ProcessLauncher build() {
            return new ProcessLauncher(this);
        }
    }
}
