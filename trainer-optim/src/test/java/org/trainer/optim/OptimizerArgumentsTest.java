package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;

/**
 * Options and constructors refuse every bad argument with a message naming the optimizer, the
 * argument, what was expected and the value; each group keeps its own immutable options; step
 * skips frozen parameters and those without a gradient (every registered optimizer).
 */
class OptimizerArgumentsTest {
    static final List<Parameter> PS = List.of(new Parameter(Tensor.zeros(2)));
    static final List<ParameterGroup> GS = List.of(new ParameterGroup(PS, 0.1, 0));

    static void refused(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void adamAndAdamW() {
        refused("Adam: beta1 must be in [0, 1), got 1.0", () -> Adam.options(0.1).withBetas(1.0, 0.999));
        refused("Adam: beta2 must be in [0, 1), got -0.1", () -> Adam.options(0.1).withBetas(0.9, -0.1));
        refused("Adam: eps must be a finite value >= 0, got NaN", () -> Adam.options(0.1).withEps(Double.NaN));
        refused("AdamW: beta1 must be in [0, 1), got NaN", () -> AdamW.options(0.1).withBetas(Double.NaN, 0.999));
        refused("AdamW: eps must be a finite value >= 0, got -1.0E-8", () -> AdamW.options(0.1).withEps(-1e-8));
        refused("AdamW: weightDecay must be a finite value >= 0, got -0.01",
                () -> AdamW.options(1e-3).withWeightDecay(-0.01));
        refused("ParameterGroup: learningRate must be a finite value >= 0, got -0.001", () -> new Adam(PS, -1e-3));
        refused("Adam: lr must be a finite value >= 0, got -0.001", () -> Adam.options(-1e-3));
        assertEquals(0.01, new AdamW(PS, 1e-3).groups().get(0).weightDecay());
        assertEquals(0.01, new AdamW(PS, AdamW.options(1e-3)).groups().get(0).weightDecay());
        assertEquals(0.0, new Adam(PS, Adam.options(1e-3)).groups().get(0).weightDecay());
    }

    @Test
    void rmspropAndAdagrad() {
        refused("RMSprop: alpha must be in [0, 1], got 1.5", () -> RMSprop.options(0.1).withAlpha(1.5));
        refused("RMSprop: eps must be a finite value >= 0, got -1.0", () -> RMSprop.options(0.1).withEps(-1));
        refused("RMSprop: momentum must be a finite value >= 0, got Infinity",
                () -> RMSprop.options(0.1).withMomentum(Double.POSITIVE_INFINITY));
        refused("Adagrad: lrDecay must be a finite value >= 0, got -0.1", () -> Adagrad.options(0.1).withLrDecay(-0.1));
        refused("Adagrad: initialAccumulatorValue must be a finite value >= 0, got -1.0",
                () -> Adagrad.options(0.1).withInitialAccumulatorValue(-1));
        refused("Adagrad: eps must be a finite value >= 0, got NaN", () -> Adagrad.options(0.1).withEps(Double.NaN));
    }

    @Test
    void groupsMustBeGivenAndDisjoint() {
        refused("Adam: expected at least one parameter group", () -> new Adam(List.of()));
        List<ParameterGroup> twice = List.of(new ParameterGroup(PS, 0.1, 0), new ParameterGroup(PS, 0.01, 0));
        refused("RMSprop: a parameter appears in more than one group (group 0 and group 1)",
                () -> new RMSprop(OptimizerGroup.from(twice, RMSprop.options(0))));
        refused("Adagrad: a parameter appears in more than one group (group 0 and group 1)",
                () -> new Adagrad(OptimizerGroup.from(twice, Adagrad.options(0))));
    }

    /** The options of each group are its own: changing one copy leaves the other as it was. */
    @Test
    void optionsAreImmutableAndEachGroupKeepsItsOwn() {
        SGD.Options base = SGD.options(0.1).withMomentum(0.9);
        SGD.Options nesterov = base.withNesterov(true).withLr(0.05);
        assertEquals(false, base.nesterov());
        assertEquals(0.1, base.lr());
        Parameter a = new Parameter(Tensor.zeros(2));
        Parameter b = new Parameter(Tensor.zeros(2));
        SGD sgd = new SGD(List.of(OptimizerGroup.of(List.of(a), base), OptimizerGroup.of(List.of(b), nesterov)));
        assertEquals(List.of(base, nesterov), sgd.options());
        assertEquals(0.05, sgd.groups().get(1).learningRate());
        // A group given as a ParameterGroup keeps it, with its rate and decay over those of the options.
        ParameterGroup g = new ParameterGroup(List.of(a), 0.3, 0.02);
        Adam adam = new Adam(OptimizerGroup.from(List.of(g), Adam.options(0.1).withAmsgrad(true)));
        assertEquals(g, adam.groups().get(0));
        assertEquals(0.3, adam.options().get(0).lr());
        assertEquals(0.02, adam.options().get(0).weightDecay());
        assertEquals(true, adam.options().get(0).amsgrad());
    }

    /** The constructors kept for compatibility still validate every argument as before. */
    @Test
    @SuppressWarnings("deprecation")
    void deprecatedConstructorsStillRefuseBadArguments() {
        refused("Adam: beta1 must be in [0, 1), got 1.0", () -> new Adam(GS, 1.0, 0.999, 1e-8, false));
        refused("AdamW: eps must be a finite value >= 0, got -1.0E-8", () -> new AdamW(GS, 0.9, 0.999, -1e-8, true));
        refused("ParameterGroup: weightDecay must be a finite value >= 0, got -0.01", () -> new AdamW(PS, 1e-3, -0.01));
        refused("RMSprop: alpha must be in [0, 1], got 1.5", () -> new RMSprop(GS, 1.5, 1e-8, 0, false));
        refused("Adagrad: initialAccumulatorValue must be a finite value >= 0, got -1.0",
                () -> new Adagrad(GS, 0, -1, 1e-10));
        refused("SGD: momentum must be a finite value >= 0, got -1.0", () -> new SGD(PS, 0.1, -1, 0));
        refused("Adam: expected at least one parameter group", () -> new Adam(List.of(), 0.9, 0.999, 1e-8, false));
        assertEquals(0.5, new SGD(GS, 0.5, 0, false).options().get(0).momentum());
    }

    @Test
    void frozenParametersAndMissingGradientsAreSkipped() {
        List<Function<List<Parameter>, Optimizer>> makers = new ArrayList<>(List.of(ps -> new Adam(ps, 0.1),
                ps -> new AdamW(ps, 0.1), ps -> new RMSprop(ps, 0.1), ps -> new Adagrad(ps, 0.1)));
        for (String name : OptimizerRegistry.ROWS.keySet()) {
            makers.add(ps -> OptimizerRegistry.create(name, List.of(ps),
                    List.of(OptimizerRegistry.settings(Map.of("lr", 0.1)))));
        }
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
