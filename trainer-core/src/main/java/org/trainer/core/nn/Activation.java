package org.trainer.core.nn;

import java.util.function.UnaryOperator;

import org.trainer.core.Tensor;

/** An elementwise activation as a module: {@code new Activation.ReLU()} and friends. */
public abstract class Activation extends Module {
    private final UnaryOperator<Tensor> f;

    protected Activation(UnaryOperator<Tensor> f) {
        this.f = f;
    }

    @Override
    public final Tensor forward(Tensor x) {
        return f.apply(x);
    }

    public static final class ReLU extends Activation {
        public ReLU() {
            super(Tensor::relu);
        }
    }

    public static final class LeakyReLU extends Activation {
        public LeakyReLU(double slope) {
            super(x -> x.leakyRelu(slope));
        }
    }

    public static final class Sigmoid extends Activation {
        public Sigmoid() {
            super(Tensor::sigmoid);
        }
    }

    public static final class Tanh extends Activation {
        public Tanh() {
            super(Tensor::tanh);
        }
    }

    public static final class GELU extends Activation {
        public GELU() {
            super(Tensor::gelu);
        }
    }

    public static final class Softplus extends Activation {
        public Softplus() {
            super(Tensor::softplus);
        }
    }

    /** Softmax along an axis (usually 1, the class axis). */
    public static final class Softmax extends Activation {
        public Softmax(int axis) {
            super(x -> x.softmax(axis));
        }
    }
}
