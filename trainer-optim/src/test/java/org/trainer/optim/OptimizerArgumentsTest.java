package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * Constructors refuse every bad argument with a message naming the optimizer, the argument, what
 * was expected and the value; step skips frozen parameters and those without a gradient.
 */
class OptimizerArgumentsTest {
    static final List<Parameter> PS = List.of(new Parameter(Tensor.zeros(2)));
    static final List<ParameterGroup> GS = List.of(new ParameterGroup(PS, 0.1, 0));

    static void refused(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void adamAndAdamW() {
        refused("Adam: beta1 must be in [0, 1), got 1.0", () -> new Adam(GS, 1.0, 0.999, 1e-8, false));
        refused("Adam: beta2 must be in [0, 1), got -0.1", () -> new Adam(GS, 0.9, -0.1, 1e-8, false));
        refused("Adam: eps must be a finite value >= 0, got NaN", () -> new Adam(GS, 0.9, 0.999, Double.NaN, false));
        refused("AdamW: beta1 must be in [0, 1), got NaN", () -> new AdamW(GS, Double.NaN, 0.999, 1e-8, false));
        refused("AdamW: eps must be a finite value >= 0, got -1.0E-8", () -> new AdamW(GS, 0.9, 0.999, -1e-8, true));
        refused("ParameterGroup: weightDecay must be a finite value >= 0, got -0.01", () -> new AdamW(PS, 1e-3, -0.01));
        refused("ParameterGroup: learningRate must be a finite value >= 0, got -0.001", () -> new Adam(PS, -1e-3));
        assertEquals(0.01, new AdamW(PS, 1e-3).groups().get(0).weightDecay());
    }

    @Test
    void rmspropAndAdagrad() {
        refused("RMSprop: alpha must be in [0, 1], got 1.5", () -> new RMSprop(GS, 1.5, 1e-8, 0, false));
        refused("RMSprop: eps must be a finite value >= 0, got -1.0", () -> new RMSprop(GS, 0.99, -1, 0, false));
        refused("RMSprop: momentum must be a finite value >= 0, got Infinity",
                () -> new RMSprop(GS, 0.99, 1e-8, Double.POSITIVE_INFINITY, false));
        refused("Adagrad: lrDecay must be a finite value >= 0, got -0.1", () -> new Adagrad(GS, -0.1, 0, 1e-10));
        refused("Adagrad: initialAccumulatorValue must be a finite value >= 0, got -1.0",
                () -> new Adagrad(GS, 0, -1, 1e-10));
        refused("Adagrad: eps must be a finite value >= 0, got NaN", () -> new Adagrad(GS, 0, 0, Double.NaN));
    }

    @Test
    void groupsMustBeGivenAndDisjoint() {
        refused("Adam: expected at least one parameter group", () -> new Adam(List.of(), 0.9, 0.999, 1e-8, false));
        List<ParameterGroup> twice = List.of(new ParameterGroup(PS, 0.1, 0), new ParameterGroup(PS, 0.01, 0));
        refused("RMSprop: a parameter appears in more than one group (group 0 and group 1)",
                () -> new RMSprop(twice, 0.99, 1e-8, 0, false));
        refused("Adagrad: a parameter appears in more than one group (group 0 and group 1)",
                () -> new Adagrad(twice, 0, 0, 1e-10));
    }

    @Test
    void frozenParametersAndMissingGradientsAreSkipped() {
        List<Function<List<Parameter>, Optimizer>> makers = List.of(ps -> new Adam(ps, 0.1), ps -> new AdamW(ps, 0.1),
                ps -> new RMSprop(ps, 0.1), ps -> new Adagrad(ps, 0.1));
        for (Function<List<Parameter>, Optimizer> make : makers) {
            Parameter a = new Parameter(Tensor.ones(2));
            Parameter b = new Parameter(Tensor.ones(2));
            b.setTrainable(false);
            Optimizer opt = make.apply(List.of(a, b));
            opt.step();
            assertArrayEquals(new float[] {1, 1}, a.value().toFloatArray(), opt.getClass().getSimpleName());
            a.value().mul(b.value()).sum().backward();
            opt.step();
            assertEquals(true, a.value().toFloatArray()[0] < 1, opt.getClass().getSimpleName());
            assertArrayEquals(new float[] {1, 1}, b.value().toFloatArray(), opt.getClass().getSimpleName());
        }
    }
}
