package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/**
 * Each diagnosis on a short real run on the digits that shows it (per-step losses recorded), and
 * none on a healthy run: the symptom, and the likely cause named first.
 */
class DiagnosisTest {

    private static Sequential mlp(int hidden) {
        return new Sequential(new Linear(64, hidden), new Activation.ReLU(), new Linear(hidden, 10));
    }

    private static Set<Symptom> symptoms(History h) {
        return Diagnosis.of(h).problems().stream().map(Problem::symptom).collect(Collectors.toSet());
    }

    private static Problem only(History h, Symptom expected) {
        Diagnosis d = Diagnosis.of(h);
        assertEquals(Set.of(expected), symptoms(h), () -> h + "\n" + d);
        return d.find(expected).orElseThrow();
    }

    @Test
    void aHealthyRunHasNoProblem() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 0.05, 0.9, 32, 8);
        assertTrue(h.last("val_accuracy") > 0.95, h::toString);
        assertEquals(List.of(), Diagnosis.of(h).problems(), () -> Diagnosis.of(h).toString());
        assertEquals("no problem found", Diagnosis.of(h).toString());
    }

    @Test
    void aTinyLearningRateDoesNotDecreaseTheLossAndTooLowIsTheFirstCause() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 1e-6, 0, 32, 4);
        Problem p = only(h, Symptom.LOSS_NOT_DECREASING);
        assertTrue(p.causes().get(0).startsWith("the learning rate is too low"), p::toString);
        assertTrue(p.causes().stream().anyMatch(c -> c.startsWith("vanishing gradients")), p::toString);
        assertTrue(p.causes().stream().anyMatch(c -> c.startsWith("a bug")), p::toString);
        assertTrue(p.evidence().contains("learning rate 1.00e-06"), p::toString);
    }

    @Test
    void perEpochLossesSufficeWithoutStepLosses() {
        Seeds.set(1);
        Sequential model = mlp(64);
        History h = new Trainer().fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 1e-6, 0),
                DataLoader.builder(DigitsRuns.train(1300)).batchSize(32).build(), null, 4);
        assertTrue(h.stepLosses().isEmpty());
        Problem p = only(h, Symptom.LOSS_NOT_DECREASING);
        assertTrue(p.evidence().contains("mean epoch loss"), p::toString);
    }

    @Test
    void aVanishingGradientFindingBecomesTheFirstCause() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 1e-6, 0, 32, 2);
        h.addFinding(new Finding("VanishingGradient", Finding.Severity.WARNING, 0, 10,
                "gradient norm of 0.weight is 3e-9", Map.of("grad_norm/0.weight", 3e-9)));
        Problem p = only(h, Symptom.LOSS_NOT_DECREASING);
        assertEquals("vanishing gradients (gradient norm of 0.weight is 3e-9)", p.causes().get(0));
    }

    @Test
    void aLearningRateFarTooHighCollapsesTheModelAndTooHighIsTheFirstCause() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 3.0, 0, 32, 5);
        Problem p = only(h, Symptom.LOSS_NOT_DECREASING);
        assertTrue(p.causes().get(0).startsWith("the learning rate is too high"), p::toString);
    }

    @Test
    void aTooHighLearningRateWithMomentumOscillates() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 1.0, 0.9, 32, 5);
        Problem p = only(h, Symptom.LOSS_OSCILLATING);
        assertTrue(p.fixes().get(0).startsWith("reduce the learning rate 10x, or add a schedule"), p::toString);
    }

    @Test
    void aDivergingLossCountsAsOscillating() {
        Seeds.set(1);
        History h = DigitsRuns.fit(new Trainer(), mlp(64), DigitsRuns.train(1300), 100, 0.9, 32, 3);
        Problem p = only(h, Symptom.LOSS_OSCILLATING);
        assertTrue(p.evidence().startsWith("the loss diverged from"), p::toString);
    }

    @Test
    void anAbsurdLearningRateMakesTheLossNaN() {
        Seeds.set(1);
        // No metric: accuracy refuses NaN predictions, and the loss is what we watch.
        History h = DigitsRuns.fit(new Trainer(), mlp(64), DigitsRuns.train(1300), 1e8, 0.9, 32, 3);
        Problem p = only(h, Symptom.LOSS_NAN);
        assertTrue(p.causes().get(0).startsWith("exploding gradients"), p::toString);
        assertTrue(p.causes().stream().anyMatch(c -> c.startsWith("bad data")), p::toString);
        assertTrue(p.fixes().get(0).startsWith("clip gradients"), p::toString);
    }

    @Test
    void aSmallLearningRateDecreasesSlowly() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 0.01, 0, 64, 5);
        Problem p = only(h, Symptom.SLOW_DECREASE);
        assertTrue(p.causes().stream().anyMatch(c -> c.startsWith("large batches")), p::toString);
        assertTrue(p.fixes().stream().anyMatch(c -> c.startsWith("warm the rate up")), p::toString);
    }

    @Test
    void aBigModelOnAHundredSamplesOverfits() {
        Seeds.set(1);
        History h = DigitsRuns.fit(new Sequential(new Linear(64, 512), new Activation.ReLU(),
                new Linear(512, 512), new Activation.ReLU(), new Linear(512, 10)), DigitsRuns.train(100),
                0.05, 0.9, 20, 30);
        Problem p = only(h, Symptom.OVERFITTING);
        assertTrue(p.fixes().containsAll(List.of("dropout", "early stopping (EarlyStopping with restore-best-weights)",
                "less capacity: fewer or narrower layers")), p::toString);
    }

    @Test
    void aRankOneLinearModelUnderfits() {
        Seeds.set(1);
        History h = DigitsRuns.fit(new Sequential(new Linear(64, 1), new Linear(1, 10)), DigitsRuns.train(1300),
                0.05, 0.9, 32, 12);
        Problem p = only(h, Symptom.UNDERFITTING);
        assertTrue(p.fixes().get(0).startsWith("a bigger model"), p::toString);
        assertTrue(p.evidence().contains("training accuracy"), p::toString);
    }

    @Test
    void heavyDropoutMakesValidationBetterThanTrainingWhichIsExpected() {
        Seeds.set(1);
        History h = DigitsRuns.fit(new Sequential(new Linear(64, 256), new Activation.ReLU(), new Dropout(0.7),
                new Linear(256, 10)), DigitsRuns.train(1300), 0.05, 0.9, 32, 8);
        Problem p = only(h, Symptom.VALIDATION_BETTER_THAN_TRAINING);
        assertTrue(p.expected(), p::toString);
        assertTrue(p.causes().get(0).startsWith("dropout, augmentation"), p::toString);
    }

    @Test
    void anOverfitFindingAloneReportsOverfitting() {
        History h = new History();
        for (int e = 0; e < 4; e++) {
            h.addEpoch(Map.of("loss", 1.0 / (e + 1), "val_loss", e == 1 ? 0.5 : 0.52));
        }
        h.addFinding(new Finding("Overfit", Finding.Severity.WARNING, 3, 40, "validation/training ratio 1.5",
                Map.of("ratio", 1.5)));
        Problem p = Diagnosis.of(h).find(Symptom.OVERFITTING).orElseThrow();
        assertTrue(p.evidence().contains("Overfit: validation/training ratio 1.5"), p::toString);
    }

    private static Finding overfitFinding(int epoch) {
        return new Finding("Overfit", Finding.Severity.WARNING, epoch, 10L * epoch, "the validation loss has risen",
                Map.of("val_loss", 0.6));
    }

    @Test
    void noOverfittingWhileTheBestValidationLossIsTheLastEpochs() {
        History h = new History();
        for (int e = 0; e < 6; e++) {
            h.addEpoch(Map.of("loss", 1.0 / (e + 1), "val_loss", e == 2 ? 0.6 : 0.7 - 0.05 * e));
        }
        h.addFinding(overfitFinding(5));
        assertFalse(Diagnosis.of(h).has(Symptom.OVERFITTING), () -> Diagnosis.of(h).toString());
    }

    @Test
    void noOverfittingOnADivergedRun() {
        History h = new History();
        double[] loss = {2.3, 1.0, 0.5, 3.0, 40.0, Double.NaN};
        double[] val = {2.2, 0.9, 0.6, 2.9, 35.0, Double.NaN};
        for (int e = 0; e < loss.length; e++) {
            h.addEpoch(Map.of("loss", loss[e], "val_loss", val[e]));
        }
        h.addFinding(overfitFinding(4));
        Diagnosis d = Diagnosis.of(h);
        assertEquals(Set.of(Symptom.LOSS_NAN), symptoms(h), d::toString);
    }

    @Test
    void deadReluFindingIsNamedFirstForAFlatLossAndReluIsNotAdvisedForIt() {
        Seeds.set(1);
        History h = DigitsRuns.fit(mlp(64), DigitsRuns.train(1300), 0, 0, 32, 4);
        h.addFinding(new Finding("DeadRelu", Finding.Severity.WARNING, 0, 11, "100% of the units of ReLU 1 output 0",
                Map.of("dead_fraction/1", 1.0)));
        h.addFinding(new Finding("VanishingGradient", Finding.Severity.WARNING, 0, 11,
                "every layer's gradient is exactly 0", Map.of("ratio", 0.0)));
        Problem p = Diagnosis.of(h).find(Symptom.LOSS_NOT_DECREASING).orElseThrow();
        assertTrue(p.causes().get(0).startsWith("dead ReLUs (100% of the units"), p::toString);
        assertTrue(p.fixes().stream().noneMatch(f -> f.startsWith("ReLU-family")), p::toString);
    }

    @Test
    void hugeInitialWeightsAreNamedInsteadOfTheLearningRate() {
        History h = new History();
        for (int e = 0; e < 6; e++) {
            h.addEpoch(Map.of("loss", 1.2e5 / Math.pow(1.2, e)));
        }
        h.addFinding(new Finding("PoorWeightInitialization", Finding.Severity.WARNING, 0, 1,
                "0.weight starts with std 10", Map.of("std/0.weight", 10.0, "scale/0.weight", 80.0)));
        Problem p = Diagnosis.of(h).problems().get(0);
        assertTrue(p.causes().get(0).startsWith("the initialization: weights far too large"), p::toString);
        assertTrue(p.fixes().get(0).contains("will not help"), p::toString);
    }

    @Test
    void labelsThatDoNotMatchTheInputsComeBeforeALowLearningRate() {
        History h = new History();
        for (int e = 0; e < 5; e++) {
            h.addEpoch(Map.of("loss", 2.30 - 0.01 * e, "val_loss", 2.30 + 0.005 * e));
        }
        Problem p = Diagnosis.of(h).problems().get(0);
        assertTrue(p.causes().get(0).startsWith("the labels do not match the inputs"), p::toString);
    }

    @Test
    void aSlowButSharedFallIsALowLearningRateNotALabelMismatch() {
        History h = new History();
        for (int e = 0; e < 5; e++) {
            h.addEpoch(Map.of("loss", 2.30 - 0.01 * e, "val_loss", 2.31 - 0.01 * e));
        }
        Problem p = Diagnosis.of(h).problems().get(0);
        assertTrue(p.causes().get(0).startsWith("a learning rate on the low side"), p::toString);
        assertTrue(p.causes().stream().noneMatch(c -> c.startsWith("the labels")), p::toString);
    }

    @Test
    void aRunStoppedAtOnceByAnExplodedLossIsDiagnosedFromTheFinding() {
        History h = new History();
        h.addEpoch(Map.of("loss", 5.0));
        h.addFinding(new Finding("ExplodingTensor", Finding.Severity.ERROR, 0, 3, "the loss exploded to 400",
                Map.of("loss", 400.0, "loss_running_mean", 2.3)));
        Problem p = Diagnosis.of(h).problems().get(0);
        assertEquals(Symptom.LOSS_OSCILLATING, p.symptom(), p::toString);
        assertTrue(p.causes().get(0).startsWith("the learning rate is too high"), p::toString);
    }

    @Test
    void aNanLossNamesTheHugeInitializationFirstAndEveryCauseHasItsFix() {
        History h = new History();
        double[] loss = {1e5, 3e7, Double.NaN};
        for (double v : loss) {
            h.addEpoch(Map.of("loss", v));
        }
        h.addFinding(new Finding("PoorWeightInitialization", Finding.Severity.WARNING, 0, 1,
                "0.weight starts with std 10", Map.of("std/0.weight", 10.0, "scale/0.weight", 80.0)));
        h.addFinding(new Finding("ExplodingTensor", Finding.Severity.ERROR, 0, 5, "|value| reached 3e+07",
                Map.of("max_abs/0.weight", 3e7)));
        Problem p = Diagnosis.of(h).find(Symptom.LOSS_NAN).orElseThrow();
        assertTrue(p.causes().get(0).startsWith("the initialization: weights far too large"), p::toString);
        assertTrue(p.causes().get(1).startsWith("exploding gradients"), p::toString);
        assertEquals(p.causes().size(), p.fixes().size(), p::toString);
    }
}
