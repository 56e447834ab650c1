package org.trainer.core.monitor;

import java.io.IOException;

import org.trainer.core.train.History;

/**
 * Where a {@link Monitor} writes the findings of a fit whenever some are added
 * ({@link Monitor.Builder#writeTo}), so that a run that dies later still leaves them behind; a
 * training job's {@code JobContext} is one (output/data/findings.json).
 */
public interface FindingsSink {

    /**
     * Writes every finding of the history so far, replacing what was written before.
     *
     * @param history the fit's history
     * @throws IOException if they cannot be written
     */
    void recordFindings(History history) throws IOException;
}
