package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * Modules applied in order; they are named "0", "1", ... as in PyTorch. Each runs through
 * {@link Module#apply}, so its forward hooks see its output.
 */
public final class Sequential extends Module {
    /**
     * A chain of these modules, registered as "0", "1", ... in order.
     *
     * @param modules the modules, in order
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /**
     * Appends a module. Returns this.
     *
     * @param m the module to append
     * @return this container
     */
    public Sequential add(Module m) {
        registerModule(String.valueOf(size()), m);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : children().values()) {
            h = m.apply(h);
        }
        return h;
    }

    /**
     * The number of modules in the chain.
     *
     * @return the number of modules
     */
    public int size() {
        return children().size();
    }

    /**
     * The i-th module (as currently registered, so replaced heads are seen).
     *
     * @param i the position, from 0
     * @return the module, or null when there is none
     */
    public Module get(int i) {
        return children().get(String.valueOf(i));
    }
}
