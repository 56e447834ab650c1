package org.trainer.hpo;

import java.util.List;

/** {@link Pruner#none()}: never prunes. */
final class NoPruner implements Pruner {
    static final NoPruner INSTANCE = new NoPruner();

    private NoPruner() {
    }

    @Override
    public boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction) {
        return false;
    }

    @Override
    public boolean prunes() {
        return false;
    }

    @Override
    public String toString() {
        return "Pruner.none()";
    }
}
