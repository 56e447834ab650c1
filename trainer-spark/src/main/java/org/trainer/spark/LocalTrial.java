package org.trainer.spark;

import java.util.Map;

import org.trainer.hpo.Trial;

/** A live in-process {@link Trial} seen as a {@link RemoteTrial} ({@link RemoteObjective#toObjective()}). */
final class LocalTrial implements RemoteTrial {
    private final Trial trial;
    private boolean prune;

    LocalTrial(Trial trial) {
        this.trial = trial;
    }

    @Override
    public int number() {
        return trial.number();
    }

    @Override
    public long seed() {
        return trial.seed();
    }

    @Override
    public int attempt() {
        return 0;
    }

    @Override
    public Map<String, Object> params() {
        return trial.params();
    }

    @Override
    public void report(int step, double value) {
        trial.report(step, value);
        prune = trial.shouldPrune();
    }

    @Override
    public boolean shouldPrune() {
        return prune;
    }
}
