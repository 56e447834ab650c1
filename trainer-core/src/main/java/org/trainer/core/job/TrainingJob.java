package org.trainer.core.job;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.io.AtomicFile;

/**
 * Runs a {@link JobDefinition} over a {@link JobDirectory}, in this JVM or in a child JVM.
 *
 * <p>The contract, as SageMaker training's: the job reads {@code input/}, writes its artifacts to
 * {@code model/} and its figures to {@code output/data/}; when it fails, {@code output/failure}
 * holds the error message and the exit code is non-zero (1; a child killed for running past its
 * limit exits with what the operating system reports). An unknown, ill-typed or missing
 * hyperparameter fails the job before training starts. A child JVM isolates the caller: a trial
 * that crashes, exhausts its memory or calls {@code System.exit} cannot take a study down with it.
 *
 * <p>When a job starts, the temporary files of {@link AtomicFile} writes that an earlier attempt
 * was killed in are removed from {@code model/} and {@code output/data/} (by their name pattern,
 * {@link AtomicFile#isTemporary}; no other file is touched), and logged at INFO.
 */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);
    /** Exit code of a failed job. */
    public static final int FAILED = 1;
    /**
     * The environment variable that gives a child JVM its parent's pid: {@link Main} halts when
     * that process is gone.
     */
    public static final String PARENT_PID_ENV = "TRAINER_PARENT_PID";
    /** The child JVMs running now, killed with their descendants when this JVM shuts down. */
    private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process child : CHILDREN) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
            }
        }, "training-job-children"));
    }

    private final JobDirectory dir;

    /**
     * A job over the directory at {@code root}.
     *
     * @param root the job's directory
     */
    public TrainingJob(Path root) {
        this.dir = JobDirectory.of(root);
    }

    /**
     * The job's directory.
     *
     * @return the directory
     */
    public JobDirectory directory() {
        return dir;
    }

    /**
     * Runs the definition in this JVM. Never throws for a failing job: the failure is written to
     * {@code output/failure} and returned with exit code 1.
     * A previous attempt's {@code output/failure}, {@code metrics.json} and {@code history.json} are
     * removed first, so the result holds only what this attempt reported.
     *
     * @param definition the job
     * @return how it ended
     * @throws IOException if the job directory cannot be prepared or read
     */
    public JobResult run(JobDefinition definition) throws IOException {
        if (definition == null) {
            throw new IllegalArgumentException("TrainingJob.run: definition is null");
        }
        clearPreviousAttempt();
        int exit = 0;
        try {
            HyperparameterSpec spec = definition.hyperparameters();
            if (spec == null) {
                throw new JobConfigurationException(definition.getClass().getName()
                        + ".hyperparameters() returned null; return an empty HyperparameterSpec for none");
            }
            Hyperparameters hp = spec.parse(dir.hyperparametersFile());
            LOG.info("job {}: {} with {}", dir.root().getFileName(), definition.getClass().getSimpleName(), hp);
            definition.train(new JobContext(dir, hp, dir.channels()));
        } catch (Throwable t) { // a job that fails for any reason says why in output/failure
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("job {} failed", dir.root().getFileName(), t);
            writeFailure(describe(t));
            exit = FAILED;
        }
        return JobResult.read(dir, exit);
    }

    /**
     * Runs the definition in a child JVM ({@link #childCommand}) and waits at most {@code timeout};
     * the child's stdout and stderr are appended to {@code output/job.log}, after a line that marks
     * the attempt's start (an earlier attempt's log stays). A child that exits non-zero without
     * writing {@code output/failure} (a crash, {@code System.exit}) or runs past the limit (it is
     * killed) gets a failure written for it. A child never outlives this call: when the waiting
     * thread is interrupted, the child and its descendants are killed before the
     * InterruptedException propagates; when this JVM shuts down, a shutdown hook kills them; when
     * this JVM is killed outright (SIGKILL), the child, which watches this JVM's pid
     * ({@link #PARENT_PID_ENV}), halts within about half a second. As {@link #run}, it first removes the previous attempt's
     * failure, metrics.json and history.json.
     *
     * @param definitionClass the {@link JobDefinition} class's name
     * @param jvmArgs arguments for the child JVM, e.g. {@code -Xmx1g}; see {@link #defaultJvmArgs()}
     * @param timeout the longest the child may run
     * @return how it ended
     * @throws IOException if the child cannot be started or the job directory cannot be read
     * @throws InterruptedException if this thread is interrupted while waiting (the child is then killed)
     */
    public JobResult runInChildJvm(String definitionClass, List<String> jvmArgs, Duration timeout)
            throws IOException, InterruptedException {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("runInChildJvm: timeout must be positive, got " + timeout);
        }
        clearPreviousAttempt();
        // Appended, not truncated: an earlier attempt's log (a crash's last words) stays, after a separator.
        Files.writeString(dir.logFile(), "==== " + Instant.now() + ": " + definitionClass + " starts ====\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(childCommand(dir.root(), definitionClass, jvmArgs))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()));
        pb.environment().put(PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        Process child = pb.start();
        CHILDREN.add(child);
        int exit;
        try {
            if (child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = child.exitValue();
            } else {
                destroyTree(child);
                exit = child.waitFor();
                writeFailure("the job ran past its limit of " + timeout + " and was killed (exit code " + exit + ")");
                return JobResult.read(dir, exit);
            }
        } finally {
            // The waiting thread was interrupted (a study shutting down) or failed: the child must not outlive it.
            if (child.isAlive()) {
                destroyTree(child);
            }
            CHILDREN.remove(child);
        }
        if (exit != 0 && !Files.exists(dir.failureFile())) {
            writeFailure("the job's JVM exited with code " + exit + " without writing output/failure; the end of "
                    + "output/job.log:\n" + tail(dir.logFile(), 20));
        }
        return JobResult.read(dir, exit);
    }

    /**
     * Removes what an earlier attempt in the same directory left that this one must not be mistaken
     * for: its failure and its figures (a stale objective would be read if this attempt reports none),
     * and the temporary files of writes it was killed in ({@link AtomicFile#removeLeftovers}) in
     * {@code model/} and {@code output/data/}, which would otherwise ship with the artifact.
     */
    private void clearPreviousAttempt() throws IOException {
        Files.deleteIfExists(dir.failureFile());
        Files.deleteIfExists(dir.outputDataDir().resolve("metrics.json"));
        Files.deleteIfExists(dir.outputDataDir().resolve("history.json"));
        dir.createOutputs();
        for (Path d : List.of(dir.modelDir(), dir.outputDataDir())) {
            List<Path> removed = AtomicFile.removeLeftovers(d);
            if (!removed.isEmpty()) {
                LOG.info("job {}: removed {} temporary file(s) that an interrupted write left in {}: {}",
                        dir.root().getFileName(), removed.size(), dir.root().relativize(d),
                        removed.stream().map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    /**
     * Kills a child JVM and whatever it started, then waits a bounded time for it to go; an interrupt
     * during that wait is kept for the caller.
     */
    private static void destroyTree(Process child) {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly();
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("the child JVM {} has not exited 10 s after it was killed", child.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The command that runs a definition in a child JVM: this JVM's {@code java} executable, its
     * class path, the given JVM arguments, then {@code org.trainer.core.job.Main <jobDir> <definitionClass>}.
     *
     * @param jobDir the job's directory
     * @param definitionClass the {@link JobDefinition} class's name
     * @param jvmArgs the child's JVM arguments
     * @return the command
     */
    public static List<String> childCommand(Path jobDir, String definitionClass, List<String> jvmArgs) {
        if (definitionClass == null || definitionClass.isBlank()) {
            throw new IllegalArgumentException("childCommand: definitionClass must be a class name, got '"
                    + definitionClass + "'");
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add(jobDir.toAbsolutePath().toString());
        cmd.add(definitionClass);
        return cmd;
    }

    /**
     * JVM arguments that carry this JVM's setup to a child: the Vector API module when this JVM has it.
     *
     * @return the arguments
     */
    public static List<String> defaultJvmArgs() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? List.of("--add-modules=jdk.incubator.vector") : List.of();
    }

    void writeFailure(String message) throws IOException {
        JsonFiles.writeText(dir.failureFile(), message.endsWith("\n") ? message : message + "\n");
    }

    /**
     * The failure text: a configuration error's message alone (it says everything), otherwise the
     * exception's class and message followed by the stack trace.
     */
    static String describe(Throwable t) {
        if (t instanceof JobConfigurationException) {
            return t.getMessage();
        }
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return t + "\n\n" + trace;
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
