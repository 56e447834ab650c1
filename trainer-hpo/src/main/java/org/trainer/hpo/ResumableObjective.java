package org.trainer.hpo;

/**
 * An objective that {@link HyperbandScheduler} can pause between rungs: each call continues the
 * trial's training (its model kept by the objective, keyed by {@link Trial#number()}) up to
 * {@code resource} units in total, reports each step it passes ({@link Trial#report}), and
 * returns the objective's value at {@code resource}.
 */
public interface ResumableObjective {

    /**
     * @param trial    the trial, with its parameters fixed at its start
     * @param resource the total resource (epochs) the trial must have used when this returns
     * @return the objective's value after {@code resource} units
     * @throws Exception anything training throws: the trial is recorded FAILED
     */
    double train(Trial trial, int resource) throws Exception;

    /**
     * The trial will not be continued (finished, dropped or failed): its model can go.
     *
     * @param trial the trial
     */
    default void release(Trial trial) {
    }
}
