package org.trainer.core.job;

import java.nio.file.Files;
import java.nio.file.Path;

import org.trainer.core.train.checkpoint.StopRequest;

/**
 * Runs one training job in this JVM and exits with its code:
 * {@code java -cp ... org.trainer.core.job.Main <job-dir> <definition-class>}, where the class
 * implements {@link JobDefinition} and has a public no-argument constructor. Exit 0: success;
 * 1: the job failed ({@code output/failure} says why); 2: wrong arguments (nothing written);
 * 3: the parent process named by {@link TrainingJob#PARENT_PID_ENV} is gone (nothing more written);
 * 4: stopped past max_run ({@link TrainingJob#MAX_RUNTIME_EXCEEDED}); 75: stopped on an
 * interruption notice ({@link TrainingJob#INTERRUPTED}; run it again to go on).
 *
 * <p>SIGTERM is the interruption notice ({@link TerminationNotice}): the job's fit checkpoints after
 * its current step and the JVM exits with 75 within the grace period of {@code job.json}; a second
 * SIGTERM, or the grace period running out, halts it at once with 75, leaving the newest periodic
 * checkpoint to resume from. {@code output/status.json} says which.
 */
public final class Main {
    /** Exit code of a child JVM whose parent is gone. */
    public static final int PARENT_GONE = 3;

    private Main() {
    }

    /**
     * Runs the job: {@code args} are the job directory and the definition class name.
     *
     * @param args the job directory and the definition class name
     * @throws Exception if the job directory cannot be written (an I/O error); a failing job exits with its code
     *     instead
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp CLASSPATH " + Main.class.getName() + " <job-dir> <definition-class>");
            System.exit(2);
        }
        try {
            ParentWatch.start(System.getenv(TrainingJob.PARENT_PID_ENV));
        } catch (IllegalArgumentException e) {
            System.err.println(Main.class.getName() + ": " + e.getMessage());
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        if (!Files.isDirectory(root)) {
            System.err.println(Main.class.getName() + ": job directory " + root + " does not exist");
            System.exit(2);
        }
        TrainingJob job = new TrainingJob(root);
        JobDefinition definition;
        try {
            definition = instantiate(args[1]);
        } catch (JobConfigurationException e) {
            Files.createDirectories(job.directory().outputDir());
            job.writeFailure(e.getMessage());
            System.exit(TrainingJob.FAILED);
            return;
        }
        JobConfiguration config;
        try {
            config = JobConfiguration.read(job.directory());
        } catch (JobConfigurationException e) {
            config = JobConfiguration.defaults(); // the job's run refuses it, writing output/failure
        }
        StopRequest stop = new StopRequest();
        TerminationNotice.install(stop, config.gracePeriod(), job::cutShort);
        System.exit(job.run(definition, stop).exitCode());
    }

    static JobDefinition instantiate(String className) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new JobConfigurationException("definition class " + className + " is not on the class path", e);
        }
        if (!JobDefinition.class.isAssignableFrom(c)) {
            throw new JobConfigurationException("definition class " + className + " does not implement "
                    + JobDefinition.class.getName());
        }
        try {
            return (JobDefinition) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new JobConfigurationException("definition class " + className
                    + " needs a public no-argument constructor: " + e, e);
        }
    }
}
