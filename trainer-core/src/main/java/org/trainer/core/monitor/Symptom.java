package org.trainer.core.monitor;

/** What can be seen going wrong (or surprisingly) in a training history; {@link Diagnosis} names them. */
public enum Symptom {
    /** The loss became NaN or infinite. */
    LOSS_NAN("loss becomes NaN"),
    /** The loss jumps up and down instead of settling. */
    LOSS_OSCILLATING("loss oscillating"),
    /** The loss stays where it started. */
    LOSS_NOT_DECREASING("loss not decreasing"),
    /** The loss goes down, but slowly and still steadily at the end. */
    SLOW_DECREASE("loss decreasing slowly"),
    /** Training loss falls while validation gets worse, or stays far better than validation. */
    OVERFITTING("overfitting"),
    /** The loss has levelled off high, on training and validation alike. */
    UNDERFITTING("underfitting"),
    /** Validation loss below training loss. */
    VALIDATION_BETTER_THAN_TRAINING("validation better than training"),
    /** Part of the model does not learn (no gradient, not updated, dead or saturated units) while the loss may look fine. */
    LAYER_NOT_LEARNING("part of the model does not learn"),
    /** The weights started at a poor scale, or all equal. */
    POOR_INITIALIZATION("poor initialization");

    private final String label;

    Symptom(String label) {
        this.label = label;
    }

    /**
     * The symptom in words, e.g. "loss not decreasing".
     *
     * @return the label
     */
    public String label() {
        return label;
    }
}
