package org.trainer.core.job;

/**
 * What a training job trains: the user's code. It declares the hyperparameters it accepts and
 * trains given a {@link JobContext} (channels, typed hyperparameters, the model, output and
 * checkpoint directories). Run it in-process with {@link TrainingJob#run}, or in a child JVM with
 * {@link TrainingJob#runInChildJvm} (then the class needs a public no-argument constructor).
 * Throwing fails the job: the message goes to {@code output/failure}.
 */
public interface JobDefinition {

    /**
     * The hyperparameters this job accepts, with their types and defaults.
     *
     * @return the declarations
     */
    HyperparameterSpec hyperparameters();

    /**
     * Trains; writes the final model with {@link JobContext#saveModel}.
     *
     * @param context the job's inputs and outputs
     * @throws Exception anything training throws: the job fails and output/failure holds the message
     */
    void train(JobContext context) throws Exception;
}
