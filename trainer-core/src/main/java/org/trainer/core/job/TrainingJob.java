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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.io.AtomicFile;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointLocation;
import org.trainer.core.train.checkpoint.CheckpointMirror;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.StopRequest;
import org.trainer.core.train.checkpoint.TrainingStoppedException;

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
     * Exit code of a job past its max_run: it checkpointed and stopped, and {@code model/} holds the
     * model of that checkpoint.
     */
    public static final int MAX_RUNTIME_EXCEEDED = 4;
    /**
     * Exit code of a job that stopped on an interruption notice (SIGTERM) with its state in a
     * checkpoint: run it again to go on. 75 is EX_TEMPFAIL of sysexits.h, "try again later".
     */
    public static final int INTERRUPTED = 75;
    /** output/status.json's status of an interrupted job, and the reason of a SIGTERM's stop request. */
    public static final String INTERRUPTED_STATUS = "Interrupted";
    /** output/status.json's status of a job stopped past max_run, and the reason of that stop request. */
    public static final String MAX_RUNTIME_STATUS = "MaxRuntimeExceeded";
    /**
     * The environment variable that gives a restarted job the seconds its earlier attempts trained,
     * counted against max_run (a managed-spot runner sets it).
     */
    public static final String TRAINING_SECONDS_ENV = "TRAINER_TRAINING_SECONDS_USED";
    /** How often checkpoints are copied to the durable location while the job trains. */
    private static final Duration MIRROR_PERIOD = Duration.ofSeconds(1);
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
    /** The exit code once this job's status is final; read by {@link #cutShort}. */
    private Integer outcome;

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
        return run(definition, new StopRequest());
    }

    /**
     * Runs the definition in this JVM as {@link #run(JobDefinition)} does, under the job's
     * {@link JobConfiguration} ({@code input/config/job.json}), with {@code stop} as the job's
     * {@link JobContext#stopRequest()}: when it is made (by the caller, by {@link Main} on SIGTERM,
     * or when max_run runs out) the job's fit checkpoints after its current step and stops.
     *
     * <p>Before training, the newest checkpoint of the durable location ({@code checkpoint_uri}) that
     * is newer than the local ones is pulled into {@code checkpoints/}; while training, and once more
     * at the end, the local checkpoints are copied there ({@link CheckpointMirror}).
     * {@code output/status.json} says where the job stands: "Training" once it trains, then
     * "Completed" (exit 0), "Failed" (exit {@link #FAILED}), "Interrupted" (exit
     * {@link #INTERRUPTED}: stopped on request, its state in the checkpoint named there; run it
     * again to go on) or "MaxRuntimeExceeded" (exit {@link #MAX_RUNTIME_EXCEEDED}: stopped past
     * max_run, with the model of its last checkpoint copied to {@code model/} as the artifact). A
     * stop's status also gives the checkpoint, the iteration, and the seconds from the request to
     * the checkpoint on disk ({@code seconds_to_checkpoint}) and to the status
     * ({@code seconds_to_status}, after the durable copy).
     */
    public JobResult run(JobDefinition definition, StopRequest stop) throws IOException {
        if (definition == null) {
            throw new IllegalArgumentException("TrainingJob.run: definition is null");
        }
        if (stop == null) {
            throw new IllegalArgumentException("TrainingJob.run: stop is null");
        }
        clearPreviousAttempt();
        int exit = 0;
        TrainingStoppedException stopped = null;
        ScheduledExecutorService timer = null;
        CheckpointMirror mirror = null;
        try {
            JobConfiguration config = JobConfiguration.read(dir);
            HyperparameterSpec spec = definition.hyperparameters();
            if (spec == null) {
                throw new JobConfigurationException(definition.getClass().getName()
                        + ".hyperparameters() returned null; return an empty HyperparameterSpec for none");
            }
            Hyperparameters hp = spec.parse(dir.hyperparametersFile());
            mirror = openMirror(config);
            timer = startMaxRunTimer(config, stop);
            LOG.info("job {}: {} with {}", dir.root().getFileName(), definition.getClass().getSimpleName(), hp);
            writeStatus(Map.of("status", "Training"));
            definition.train(new JobContext(dir, hp, dir.channels(), stop));
        } catch (Throwable t) { // a job that fails for any reason says why in output/failure
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stopped = stoppedIn(t);
            if (stopped == null) {
                LOG.error("job {} failed", dir.root().getFileName(), t);
                writeFailure(describe(t));
                exit = FAILED;
            }
        } finally {
            if (timer != null) {
                timer.shutdownNow();
            }
            closeMirror(mirror);
        }
        synchronized (this) {
            if (stopped != null) {
                exit = finishStopped(stopped, stop);
            } else {
                writeStatus(Map.of("status", exit == 0 ? "Completed" : "Failed"));
            }
            outcome = exit;
        }
        return JobResult.read(dir, exit);
    }

    /** The pulled-from and pushed-to mirror of checkpoints/ when job.json names a durable location, else null. */
    private CheckpointMirror openMirror(JobConfiguration config) throws IOException {
        if (config.checkpointUri().isEmpty()) {
            return null;
        }
        CheckpointLocation location;
        try {
            location = CheckpointLocation.open(config.checkpointUri().get());
        } catch (IllegalArgumentException e) {
            throw new JobConfigurationException("job.json: checkpoint_uri: " + e.getMessage(), e);
        }
        CheckpointMirror mirror = new CheckpointMirror(new CheckpointStore(dir.checkpointDir()), location);
        Path pulled = mirror.pull();
        if (pulled != null) {
            LOG.info("job {}: pulled {} back from {}", dir.root().getFileName(), pulled.getFileName(), location);
        }
        mirror.start(MIRROR_PERIOD);
        return mirror;
    }

    private void closeMirror(CheckpointMirror mirror) {
        if (mirror == null) {
            return;
        }
        try {
            mirror.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: could not copy the last checkpoints to the durable location: {}",
                    dir.root().getFileName(), e.toString());
        }
    }

    /**
     * A daemon timer that makes the stop request with "MaxRuntimeExceeded" when max_run, less the
     * training seconds of earlier attempts ({@link #TRAINING_SECONDS_ENV}), runs out; null without max_run.
     */
    private static ScheduledExecutorService startMaxRunTimer(JobConfiguration config, StopRequest stop) {
        if (config.maxRun().isEmpty()) {
            return null;
        }
        double used = 0;
        String text = System.getenv(TRAINING_SECONDS_ENV);
        if (text != null && !text.isBlank()) {
            try {
                used = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                used = -1;
            }
            if (!(used >= 0)) {
                throw new JobConfigurationException(TRAINING_SECONDS_ENV + " must be a number of seconds >= 0, got '"
                        + text + "'");
            }
        }
        long left = config.maxRun().get().toNanos() - Math.round(used * 1e9);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "max-run");
            t.setDaemon(true);
            return t;
        });
        timer.schedule(() -> {
            if (stop.request(MAX_RUNTIME_STATUS)) {
                LOG.info("max_run of {} s reached: checkpointing after the current step",
                        JobConfiguration.seconds(config.maxRun().get()));
            }
        }, Math.max(0, left), TimeUnit.NANOSECONDS);
        return timer;
    }

    /** The TrainingStoppedException that ended the job, wherever in the cause chain, or null. */
    private static TrainingStoppedException stoppedIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TrainingStoppedException s) {
                return s;
            }
        }
        return null;
    }

    /** Writes a stopped job's status (and, past max_run, its artifact); returns its exit code. */
    private int finishStopped(TrainingStoppedException stopped, StopRequest stop) throws IOException {
        boolean maxRun = MAX_RUNTIME_STATUS.equals(stopped.reason());
        long now = System.nanoTime();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", maxRun ? MAX_RUNTIME_STATUS : INTERRUPTED_STATUS);
        status.put("reason", stopped.reason());
        status.put("checkpoint", stopped.checkpoint().map(p -> p.getFileName().toString()).orElse(null));
        status.put("iteration", stopped.iteration());
        status.put("seconds_to_checkpoint", (stopped.writtenAtNanos() - stop.requestedAtNanos()) / 1e9);
        if (maxRun && stopped.checkpoint().isPresent()) {
            Checkpoint c = CheckpointStore.read(stopped.checkpoint().get());
            ModelArtifact.save(dir.modelDir(), c.model(), c.optimizer());
            status.put("artifact", "model/");
        }
        status.put("seconds_to_status", (now - stop.requestedAtNanos()) / 1e9);
        writeStatus(status);
        LOG.info("job {}: {} at iteration {}", dir.root().getFileName(), status.get("status"), stopped.iteration());
        return maxRun ? MAX_RUNTIME_EXCEEDED : INTERRUPTED;
    }

    /**
     * For {@link TerminationNotice}: the job is cut short before its fit stopped by itself (a
     * second SIGTERM, or the grace period ran out). Writes "Interrupted" naming the newest local
     * checkpoint (a restart resumes from it, or an older one should it not verify) and returns
     * {@link #INTERRUPTED}; a job whose status is already final keeps it, and its exit code is returned.
     */
    synchronized int cutShort(String why) {
        if (outcome != null) {
            return outcome;
        }
        try {
            List<Path> all = new CheckpointStore(dir.checkpointDir()).list();
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("status", INTERRUPTED_STATUS);
            status.put("reason", INTERRUPTED_STATUS);
            status.put("checkpoint", all.isEmpty() ? null : all.get(all.size() - 1).getFileName().toString());
            status.put("fallback", why);
            writeStatus(status);
        } catch (IOException e) {
            LOG.warn("job {}: could not write the status: {}", dir.root().getFileName(), e.toString());
        }
        return INTERRUPTED;
    }

    private void writeStatus(Map<String, ?> status) throws IOException {
        JsonFiles.writeObject(dir.statusFile(), status);
    }

    /**
     * Runs the definition in a child JVM ({@link #childCommand}) and waits at most {@code timeout};
     * the child's stdout and stderr are appended to {@code output/job.log}, after a line that marks
     * the attempt's start (an earlier attempt's log stays). A child that exits non-zero without
     * writing {@code output/failure} (a crash, {@code System.exit}; not a stop that
     * {@code output/status.json} reports, see {@link #run(JobDefinition, StopRequest)}) or runs past the limit (it is
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
        if (exit != 0 && !Files.exists(dir.failureFile()) && !stoppedAsReported(exit)) {
            writeFailure("the job's JVM exited with code " + exit + " without writing output/failure; the end of "
                    + "output/job.log:\n" + tail(dir.logFile(), 20));
        }
        return JobResult.read(dir, exit);
    }

    /**
     * Whether an exit code of a stop ({@link #INTERRUPTED}, {@link #MAX_RUNTIME_EXCEEDED}) comes with
     * the status.json that such a stop writes: then the job has not failed.
     */
    private boolean stoppedAsReported(int exit) throws IOException {
        if (exit != INTERRUPTED && exit != MAX_RUNTIME_EXCEEDED || !Files.exists(dir.statusFile())) {
            return false;
        }
        Object status = JsonFiles.readObject(dir.statusFile()).get("status");
        return (exit == INTERRUPTED ? INTERRUPTED_STATUS : MAX_RUNTIME_STATUS).equals(status);
    }

    /**
     * Removes what an earlier attempt in the same directory left that this one must not be mistaken
     * for: its failure and its figures (a stale objective would be read if this attempt reports none),
     * and the temporary files of writes it was killed in ({@link AtomicFile#removeLeftovers}) in
     * {@code model/} and {@code output/data/}, which would otherwise ship with the artifact.
     */
    private void clearPreviousAttempt() throws IOException {
        Files.deleteIfExists(dir.failureFile());
        Files.deleteIfExists(dir.statusFile());
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
