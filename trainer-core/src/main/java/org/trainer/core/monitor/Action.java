package org.trainer.core.monitor;

import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.train.Finding;
import org.trainer.core.train.TrainingContext;

/**
 * What a {@link Monitor} does with a rule's finding, besides recording it in the history. Actions
 * run on the training thread at the end of the step (or epoch) whose figures the rule judged, so
 * where a run stops does not depend on thread timing.
 */
@FunctionalInterface
public interface Action {

    /**
     * Acts on one finding.
     *
     * @param finding what a rule found
     * @param ctx the run
     */
    void act(Finding finding, TrainingContext ctx);

    /**
     * Logs the finding through slf4j at its severity (INFO, WARN or ERROR); the default action.
     *
     * @return the action
     */
    static Action log() {
        return (f, ctx) -> {
            Logger log = LoggerFactory.getLogger(Monitor.class);
            String text = "{} at epoch {}, step {}: {} {}";
            Object[] args = {f.rule(), f.epoch() + 1, f.iteration(), f.message(), f.values()};
            switch (f.severity()) {
                case INFO -> log.info(text, args);
                case WARNING -> log.warn(text, args);
                case ERROR -> log.error(text, args);
                default -> throw new AssertionError(f.severity());
            }
        };
    }

    /**
     * Stops training: {@link TrainingContext#requestStop()}; no further step is taken after the one
     * whose figures raised the finding (after the epoch, for an epoch rule).
     */
    static Action stop() {
        return (f, ctx) -> ctx.requestStop();
    }

    /**
     * Hands the finding to user code.
     *
     * @param user receives each finding
     * @return the action
     */
    static Action call(Consumer<Finding> user) {
        if (user == null) {
            throw new IllegalArgumentException("Action.call: user must not be null");
        }
        return (f, ctx) -> user.accept(f);
    }
}
