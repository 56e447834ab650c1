package org.trainer.distributed.pipeline;

import org.trainer.core.Tensor;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Sequential;

/**
 * Children [from, to) of a {@link Sequential}, applied in order and registered under their names in
 * the whole model ("2", "3", ...), so that a stage's parameter and state names are the whole
 * model's: the stages' state dicts together are the model's.
 */
final class StageModule extends Module {
    private final int from;
    private final int to;

    StageModule(Sequential model, int from, int to) {
        this.from = from;
        this.to = to;
        for (int i = from; i < to; i++) {
            registerModule(String.valueOf(i), model.get(i));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : children().values()) {
            h = m.apply(h);
        }
        return h;
    }

    @Override
    protected String describe() {
        return "modules [" + from + ", " + to + ")";
    }
}
