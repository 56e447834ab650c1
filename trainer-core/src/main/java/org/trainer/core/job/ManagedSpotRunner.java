package org.trainer.core.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.train.checkpoint.CheckpointStore;

/**
 * Plays SageMaker's managed spot training for local use and tests: runs a {@link JobDefinition} in
 * a child JVM over a job directory, delivers the planned {@link Interruption}s (SIGTERM with a notice
 * period, or SIGKILL without), and after each starts the job again, as the service does once capacity
 * is back; then reports what the service would bill ({@link SpotRun}).
 *
 * <pre>{@code
 * SpotRun run = ManagedSpotRunner.builder(jobDir, MyJob.class.getName())
 *         .interruptions(List.of(Interruption.notice(Duration.ofSeconds(30), Duration.ofSeconds(120))))
 *         .capacityWait(Duration.ofMinutes(5)).build().run();
 * System.out.print(run.summary());
 * }</pre>
 *
 * <p>The job must checkpoint ({@link JobContext#checkpointing()}) to lose nothing: on the notice it
 * checkpoints after its current step and exits with {@link TrainingJob#INTERRUPTED}, and the next
 * attempt resumes there. The stopping conditions come from the job's {@code input/config/job.json}
 * ({@link JobConfiguration}): each attempt learns the training seconds of the earlier ones
 * ({@link TrainingJob#TRAINING_SECONDS_ENV}) so that max_run counts them all, and before each attempt,
 * and while it runs, training plus waiting is held to max_wait: past it the attempt gets the notice
 * and the run ends as {@link SpotRun.Status#MAX_WAIT_TIME_EXCEEDED}. The wait for capacity is
 * simulated: counted, not slept. With {@link Builder#freshMachine} each restart finds
 * {@code checkpoints/} empty, as a new instance would, and must pull the durable copy
 * ({@code checkpoint_uri}) back.
 *
 * <p>The job's output goes to {@code output/job.log}, after a line per attempt. An exit that the
 * runner did not cause and that is not a stop (exit 0, {@link TrainingJob#MAX_RUNTIME_EXCEEDED})
 * ends the run as failed, without a restart. The child never outlives {@link #run()}: it is killed
 * when the calling thread is interrupted, and it halts by itself when this JVM is killed.
 */
public final class ManagedSpotRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedSpotRunner.class);
    private static final long POLL_MILLIS = 20;

    private final JobDirectory dir;
    private final String definitionClass;
    private final List<String> jvmArgs;
    private final List<Interruption> interruptions;
    private final Duration capacityWait;
    private final boolean freshMachine;
    private final double spotPrice;

    private ManagedSpotRunner(Builder b) {
        this.dir = JobDirectory.of(b.root);
        this.definitionClass = b.definitionClass;
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.interruptions = List.copyOf(b.interruptions);
        this.capacityWait = b.capacityWait;
        this.freshMachine = b.freshMachine;
        this.spotPrice = b.spotPrice;
    }

    /**
     * Starts configuring a runner of {@code definitionClass} (a {@link JobDefinition} with a public
     * no-argument constructor) over the job directory {@code root}.
     */
    public static Builder builder(Path root, String definitionClass) {
        return new Builder(root, definitionClass);
    }

    /** Options of a {@link ManagedSpotRunner}; each setter checks its argument at once. */
    public static final class Builder {
        private final Path root;
        private final String definitionClass;
        private List<String> jvmArgs = TrainingJob.defaultJvmArgs();
        private List<Interruption> interruptions = List.of();
        private Duration capacityWait = Duration.ZERO;
        private boolean freshMachine;
        private double spotPrice = 0.3;

        private Builder(Path root, String definitionClass) {
            this.root = Objects.requireNonNull(root, "ManagedSpotRunner.builder: root");
            if (definitionClass == null || definitionClass.isBlank()) {
                throw new IllegalArgumentException("ManagedSpotRunner.builder: definitionClass must be a class name, got '"
                        + definitionClass + "'");
            }
            this.definitionClass = definitionClass;
        }

        /** The child JVMs' arguments; {@link TrainingJob#defaultJvmArgs()} by default. */
        public Builder jvmArgs(List<String> args) {
            this.jvmArgs = List.copyOf(Objects.requireNonNull(args, "ManagedSpotRunner.Builder.jvmArgs: args"));
            return this;
        }

        /** The interruptions to deliver, one per attempt, in order (none by default). */
        public Builder interruptions(List<Interruption> planned) {
            this.interruptions = List.copyOf(Objects.requireNonNull(planned, "ManagedSpotRunner.Builder.interruptions"));
            return this;
        }

        /** The simulated wait for capacity before each restart, counted against max_wait (0 by default). */
        public Builder capacityWait(Duration wait) {
            if (wait == null || wait.isNegative()) {
                throw new IllegalArgumentException("ManagedSpotRunner: capacityWait must be >= 0, got " + wait);
            }
            this.capacityWait = wait;
            return this;
        }

        /** Whether each restart finds checkpoints/ empty, as a new machine would (off by default). */
        public Builder freshMachine(boolean on) {
            this.freshMachine = on;
            return this;
        }

        /** The spot price as a fraction of the on-demand price, in (0, 1] (0.3 by default). */
        public Builder spotPrice(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("ManagedSpotRunner: spotPrice must be in (0, 1], got " + fraction);
            }
            this.spotPrice = fraction;
            return this;
        }

        public ManagedSpotRunner build() {
            return new ManagedSpotRunner(this);
        }
    }

    public JobDirectory directory() {
        return dir;
    }

    /**
     * Runs the job to its end: completed, failed, past max_run, or given up past max_wait.
     *
     * @throws JobConfigurationException when job.json is unusable (e.g. max_wait not above max_run)
     */
    public SpotRun run() throws IOException, InterruptedException {
        JobConfiguration config = JobConfiguration.read(dir);
        Deque<Interruption> planned = new ArrayDeque<>(interruptions);
        List<SpotRun.Attempt> attempts = new ArrayList<>();
        double training = 0;
        double waiting = 0;
        int delivered = 0;
        SpotRun.Status status;
        while (true) {
            double budget = config.maxWait().map(d -> d.toNanos() / 1e9).orElse(Double.POSITIVE_INFINITY)
                    - training - waiting;
            if (budget <= 0) {
                status = SpotRun.Status.MAX_WAIT_TIME_EXCEEDED;
                break;
            }
            SpotRun.Attempt a = attempt(attempts.size() + 1, planned.peekFirst(), training, budget, config);
            attempts.add(a);
            training += a.seconds();
            if (a.delivered() != null) {
                planned.removeFirst();
                delivered++;
            }
            if (a.exitCode() == 0) {
                status = SpotRun.Status.COMPLETED;
                break;
            }
            if (a.exitCode() == TrainingJob.MAX_RUNTIME_EXCEEDED
                    && TrainingJob.MAX_RUNTIME_STATUS.equals(a.status().get("status"))) {
                status = SpotRun.Status.MAX_RUNTIME_EXCEEDED;
                break;
            }
            if (a.delivered() == null) {
                // Given the notice by the runner itself (max_wait ran out), or failed by itself.
                status = Double.isNaN(a.noticeToExitSeconds()) ? SpotRun.Status.FAILED
                        : SpotRun.Status.MAX_WAIT_TIME_EXCEEDED;
                break;
            }
            waiting += capacityWait.toNanos() / 1e9;
            if (freshMachine) {
                deleteLocalCheckpoints();
            }
            LOG.info("job {}: attempt {} interrupted ({}); restarting after a simulated wait of {} s",
                    dir.root().getFileName(), a.number(), a.delivered().kind(), JobConfiguration.seconds(capacityWait));
        }
        SpotRun run = new SpotRun(status, attempts, delivered, training, waiting, training * spotPrice,
                JobResult.read(dir, attempts.get(attempts.size() - 1).exitCode()));
        LOG.info("job {}: {}", dir.root().getFileName(), run.summary().replace(System.lineSeparator(), "; "));
        return run;
    }

    /**
     * One attempt: starts the JVM and delivers {@code next} (if not null) once it trains; gives the
     * notice when {@code budget} seconds (what max_wait leaves) run out first, and then reports the
     * attempt with no interruption delivered but a notice time &gt;= 0.
     */
    private SpotRun.Attempt attempt(int number, Interruption next, double trainedBefore, double budget,
                                    JobConfiguration config) throws IOException, InterruptedException {
        Files.createDirectories(dir.outputDir());
        Files.deleteIfExists(dir.statusFile());
        Files.writeString(dir.logFile(), "==== " + Instant.now() + ": attempt " + number + " of " + definitionClass
                + " starts ====\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(TrainingJob.childCommand(dir.root(), definitionClass, jvmArgs))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()));
        pb.environment().put(TrainingJob.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        pb.environment().put(TrainingJob.TRAINING_SECONDS_ENV, Double.toString(trainedBefore));
        long start = System.nanoTime();
        long budgetEnd = Double.isInfinite(budget) ? Long.MAX_VALUE : start + (long) (budget * 1e9);
        Process child = pb.start();
        try {
            long due = Long.MAX_VALUE;
            Interruption deliver = null;
            boolean givingUp = false;
            long noticeAt = -1;
            while (!child.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (next != null && due == Long.MAX_VALUE && isTraining()) {
                    due = now + next.after().toNanos();
                }
                if (noticeAt < 0 && now >= due) {
                    deliver = next;
                    noticeAt = now;
                    if (next.kind() == Interruption.Kind.KILL) {
                        child.destroyForcibly();
                    } else {
                        child.destroy(); // SIGTERM
                    }
                } else if (noticeAt < 0 && now >= budgetEnd) {
                    givingUp = true;
                    noticeAt = now;
                    child.destroy();
                } else if (noticeAt >= 0 && now - noticeAt >= noticeNanos(deliver, config)) {
                    child.destroyForcibly(); // the notice period is over: the machine is taken
                }
            }
            long end = System.nanoTime();
            int exit = child.exitValue();
            double toExit = noticeAt < 0 || deliver != null && deliver.kind() == Interruption.Kind.KILL ? Double.NaN
                    : (end - noticeAt) / 1e9;
            Map<String, Object> status = Files.exists(dir.statusFile()) ? JsonFiles.readObject(dir.statusFile()) : Map.of();
            LOG.info("job {}: attempt {} exited with {} after {} s{}", dir.root().getFileName(), number, exit,
                    String.format("%.2f", (end - start) / 1e9), deliver == null ? "" : " (" + deliver.kind() + ")");
            return new SpotRun.Attempt(number, (end - start) / 1e9, exit, givingUp ? null : deliver, toExit, status);
        } finally {
            if (child.isAlive()) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** How long a SIGTERMed job may run on: the interruption's notice, or (giving up) its grace period and 5 s. */
    private static long noticeNanos(Interruption delivered, JobConfiguration config) {
        return delivered != null ? delivered.notice().toNanos() : config.gracePeriod().plusSeconds(5).toNanos();
    }

    /** Whether this attempt's job says it trains (its status.json, rewritten by each attempt). */
    private boolean isTraining() {
        try {
            return Files.exists(dir.statusFile())
                    && "Training".equals(JsonFiles.readObject(dir.statusFile()).get("status"));
        } catch (IOException | RuntimeException e) {
            return false; // being replaced right now: asked again at the next poll
        }
    }

    /** A new machine's local disk: the checkpoints of the last attempt are gone. */
    private void deleteLocalCheckpoints() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.checkpointDir());
        store.removeTemporaries();
        for (Path p : store.list()) {
            try (var files = Files.list(p)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(p);
        }
        Files.deleteIfExists(dir.checkpointDir().resolve(org.trainer.core.train.checkpoint.CheckpointLock.FILE));
    }

    @Override
    public String toString() {
        return "ManagedSpotRunner(" + definitionClass + " in " + dir + ")";
    }
}
