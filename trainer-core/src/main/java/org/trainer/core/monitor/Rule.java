package org.trainer.core.monitor;

import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;

/**
 * A check a {@link Monitor} runs on what it samples: {@link #onLoss} on every step's loss,
 * {@link #onStep} on each sampled step's {@link Snapshot}, {@link #onEpoch} on each finished
 * epoch's figures. The calls never overlap and come in the order of training ({@code onLoss} on the
 * training thread, the others on the monitor's rule thread, which the monitor waits for before the
 * next step), so a rule may keep state without locks; that state travels in checkpoints through
 * {@link #stateDict()} and {@link #loadStateDict} (same contract as
 * {@link org.trainer.core.train.checkpoint.Stateful}), so a resumed run reports as an uninterrupted
 * one would.
 */
public interface Rule {

    /**
     * The rule's name, as in its findings, e.g. "VanishingGradient".
     *
     * @return the name
     */
    String name();

    /**
     * Judges one step's training loss, on every step and on the training thread: keep it to a few
     * arithmetic operations and allocate nothing when nothing is found. Its findings are acted on at
     * once, so an {@link Action#stop()} ends the run after this step.
     *
     * @param epoch     the epoch, 0-based
     * @param iteration optimizer steps taken so far, this one included
     * @param loss      the step's training loss
     */
    default List<Finding> onLoss(int epoch, long iteration, double loss) {
        return List.of();
    }

    /** Judges one sampled step; returns what it found (usually nothing). */
    default List<Finding> onStep(Snapshot s) {
        return List.of();
    }

    /**
     * Judges one finished epoch; returns what it found (usually nothing).
     *
     * @param e the epoch's figures
     * @return the findings
     */
    default List<Finding> onEpoch(EpochFigures e) {
        return List.of();
    }

    /**
     * The rule's state, as copies; empty for a rule without any.
     *
     * @return the state
     */
    default Map<String, Tensor> stateDict() {
        return Map.of();
    }

    /**
     * Restores a state from {@link #stateDict()}.
     *
     * @param state a state from {@link #stateDict()}
     */
    default void loadStateDict(Map<String, Tensor> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(name() + ".loadStateDict: this rule keeps no state, got "
                    + state.keySet());
        }
    }
}
