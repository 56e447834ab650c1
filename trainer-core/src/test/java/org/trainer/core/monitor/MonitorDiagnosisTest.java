package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.History;

/** The rules' findings from a real run reach the diagnosis: a deep sigmoid net that does not learn. */
class MonitorDiagnosisTest {

    @Test
    void theMonitorsVanishingGradientFindingIsTheDiagnosedCause() {
        Seeds.set(11);
        List<Module> layers = new ArrayList<>();
        layers.add(new Linear(64, 32));
        layers.add(new Activation.Sigmoid());
        for (int i = 0; i < 10; i++) {
            layers.add(new Linear(32, 32));
            layers.add(new Activation.Sigmoid());
        }
        layers.add(new Linear(32, 10));
        TensorDataset digits = Digits.load();
        TensorDataset train = digits.subset(java.util.stream.IntStream.range(0, 640).toArray());
        History h = MonitorRulesTest.fit(new Sequential(layers.toArray(new Module[0])), 0.05, 0.9, train, null, 32, 4,
                MonitorRulesTest.monitor(5, new VanishingGradient(), new LossNotDecreasing()));
        assertFalse(MonitorRulesTest.of(h, "VanishingGradient").isEmpty(), h::toString);
        Problem p = Diagnosis.of(h).find(Symptom.LOSS_NOT_DECREASING).orElseThrow(
                () -> new AssertionError("no 'not decreasing' diagnosis: " + Diagnosis.of(h).problems() + "\n" + h));
        assertTrue(p.causes().get(0).startsWith("vanishing gradients"), p::toString);
    }
}
