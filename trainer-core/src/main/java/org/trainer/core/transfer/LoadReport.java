package org.trainer.core.transfer;

import java.util.List;

/**
 * What {@link PretrainedWeights#load} did: the model entries it loaded, the model entries the
 * source lacked (left as initialised, e.g. a new head) and the source entries the model lacks.
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected) {

    /**
     * Copies the lists.
     *
     * @param loaded the model entries loaded
     * @param missing the model entries the source lacks
     * @param unexpected the source entries the model lacks
     */
    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    /**
     * Whether every model entry was loaded and every source entry used.
     *
     * @return whether the load was complete
     */
    public boolean complete() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /**
     * Throws unless {@link #complete()}; returns this.
     *
     * @return this report
     */
    public LoadReport requireComplete() {
        if (!complete()) {
            throw new IllegalArgumentException("PretrainedWeights: missing " + missing + ", unexpected " + unexpected);
        }
        return this;
    }
}
