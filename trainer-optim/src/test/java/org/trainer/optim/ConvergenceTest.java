package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;
import org.trainer.core.train.Trainer;

/**
 * Every optimizer trains a real model: an MLP 64-32-10 (ReLU) on the bundled UCI digits (1,797
 * samples), cross-entropy, batches of 64 shuffled with a fixed seed, 4 epochs = 116 steps. The
 * loss over the whole data set starts near ln 10 = 2.30 and must end below 0.35 (each optimizer
 * at a learning rate usual for it; the two Linear layers are two parameter groups, the head with
 * weight decay). Losses are logged at INFO.
 */
class ConvergenceTest {
    private static final Logger LOG = LoggerFactory.getLogger(ConvergenceTest.class);
    private static final int EPOCHS = 4;
    private static final double BOUND = 0.35;

    record Case(String name, Function<List<ParameterGroup>, Optimizer> make, double lr) {
    }

    @TestFactory
    Stream<DynamicTest> everyOptimizerReducesTheLossOfDigits() {
        TensorDataset digits = Digits.load();
        List<Case> cases = List.of(
                new Case("SGD momentum", gs -> new SGD(OptimizerGroup.from(gs,
                        SGD.options(0).withMomentum(0.9).withNesterov(true))), 0.1),
                new Case("Adam", gs -> new Adam(OptimizerGroup.from(gs, Adam.options(0))), 0.01),
                new Case("Adam amsgrad", gs -> new Adam(OptimizerGroup.from(gs, Adam.options(0).withAmsgrad(true))),
                        0.01),
                new Case("AdamW", gs -> new AdamW(OptimizerGroup.from(gs, AdamW.options(0))), 0.01),
                new Case("RMSprop", gs -> new RMSprop(OptimizerGroup.from(gs, RMSprop.options(0))), 0.005),
                new Case("RMSprop centered momentum", gs -> new RMSprop(OptimizerGroup.from(gs,
                        RMSprop.options(0).withAlpha(0.9).withMomentum(0.5).withCentered(true))), 0.002),
                new Case("Adagrad", gs -> new Adagrad(OptimizerGroup.from(gs, Adagrad.options(0))), 0.05));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Linear body = new Linear(Digits.FEATURES, 32, true, null, 11);
            Linear head = new Linear(32, Digits.CLASSES, true, null, 12);
            Sequential model = new Sequential(body, new Activation.ReLU(), head);
            List<Parameter> headParams = head.parameters();
            Optimizer opt = c.make().apply(List.of(new ParameterGroup(body.parameters(), c.lr(), 0),
                    new ParameterGroup(headParams, c.lr(), 1e-4)));
            DataLoader train = DataLoader.builder(digits).batchSize(64).shuffle(true).seed(5).build();
            DataLoader all = DataLoader.builder(digits).batchSize(512).build();
            CrossEntropyLoss loss = new CrossEntropyLoss();
            Trainer trainer = new Trainer();
            double before = trainer.evaluate(model, loss, all).get("loss");
            trainer.fit(model, loss, opt, train, null, EPOCHS);
            Map<String, Double> after = trainer.evaluate(model, loss, all);
            LOG.info("{}: loss {} -> {} after {} steps", c.name(), before, after.get("loss"),
                    EPOCHS * train.batchesPerEpoch());
            assertTrue(before > 2.0, c.name() + ": the untrained loss should be near ln 10, was " + before);
            assertTrue(after.get("loss") < BOUND, c.name() + ": loss " + before + " -> " + after.get("loss")
                    + ", expected below " + BOUND + " after " + EPOCHS * train.batchesPerEpoch() + " steps");
        }));
    }
}
