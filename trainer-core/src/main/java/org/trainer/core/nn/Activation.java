package org.trainer.core.nn;

import java.util.function.UnaryOperator;

import org.trainer.core.Tensor;

/** An elementwise activation as a module: {@code new Activation.ReLU()} and friends. */
public abstract class Activation extends Module {
    private final UnaryOperator<Tensor> f;

    /**
     * An activation whose forward is {@code f}.
     *
     * @param f the elementwise function
     */
    protected Activation(UnaryOperator<Tensor> f) {
        this.f = f;
    }

    @Override
    public final Tensor forward(Tensor x) {
        return f.apply(x);
    }

    /** max(x, 0) as a layer; as PyTorch's {@code nn.ReLU}. */
    public static final class ReLU extends Activation {
        /** A ReLU layer. */
        public ReLU() {
            super(Tensor::relu);
        }
    }

    /** max(x, 0) + slope * min(x, 0) as a layer; as PyTorch's {@code nn.LeakyReLU}. */
    public static final class LeakyReLU extends Activation {
        /**
         * A leaky ReLU with this negative slope (PyTorch's default is 0.01).
         *
         * @param slope the slope for negative inputs
         */
        public LeakyReLU(double slope) {
            super(x -> x.leakyRelu(slope));
        }
    }

    /** 1 / (1 + e^-x) as a layer; as PyTorch's {@code nn.Sigmoid}. */
    public static final class Sigmoid extends Activation {
        /** A sigmoid layer. */
        public Sigmoid() {
            super(Tensor::sigmoid);
        }
    }

    /** The hyperbolic tangent as a layer; as PyTorch's {@code nn.Tanh}. */
    public static final class Tanh extends Activation {
        /** A tanh layer. */
        public Tanh() {
            super(Tensor::tanh);
        }
    }

    /** The exact GELU x * Phi(x) as a layer; as PyTorch's {@code nn.GELU}. */
    public static final class GELU extends Activation {
        /** An exact GELU layer. */
        public GELU() {
            super(Tensor::gelu);
        }
    }

    /** log(1 + e^x) as a layer (linear above 20); as PyTorch's {@code nn.Softplus} with its defaults. */
    public static final class Softplus extends Activation {
        /** A softplus layer. */
        public Softplus() {
            super(Tensor::softplus);
        }
    }

    /** Softmax along an axis (usually 1, the class axis). */
    public static final class Softmax extends Activation {
        /**
         * A softmax over {@code axis} (negative counts from the end).
         *
         * @param axis the axis that sums to 1
         */
        public Softmax(int axis) {
            super(x -> x.softmax(axis));
        }
    }
}
