package org.trainer.hpo.gp;

/**
 * How trials still RUNNING (pending points, when several trials run at once) enter the model:
 * each pending point is added to the GP as if it had been observed with a made-up loss, with the
 * hyperparameters fitted on the real observations only. The posterior variance there then
 * collapses, so the next proposal goes elsewhere instead of duplicating a running trial.
 */
public enum PendingStrategy {
    /** The made-up loss is the GP's posterior mean at the pending point (the kriging believer); the default. */
    KRIGING_BELIEVER,
    /** The made-up loss is the worst loss observed (a pessimistic constant liar): pushes proposals away from pending ones. */
    CONSTANT_LIAR_WORST,
    /** The made-up loss is the mean of the observed losses (a neutral constant liar). */
    CONSTANT_LIAR_MEAN,
    /** Pending points are not modelled (proposals may then repeat a running trial's point). */
    IGNORE
}
