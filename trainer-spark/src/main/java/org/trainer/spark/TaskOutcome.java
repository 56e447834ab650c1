package org.trainer.spark;

import java.io.Serializable;

/**
 * What a trial's task sends back to the driver.
 *
 * @param value    the objective's value (NaN when pruned)
 * @param pruned   whether the trial stopped because the coordinator said so (or threw TrialPruned)
 * @param lastStep the last step it reported, -1 for none
 */
record TaskOutcome(double value, boolean pruned, int lastStep) implements Serializable {
}
