package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;
import org.trainer.core.train.LearningRateSchedule;
import org.trainer.core.train.ParameterGroup;

/**
 * Every schedule against torch.optim.lr_scheduler (reference/generate_schedules.py): the rate of
 * each of two parameter groups (initial rates 0.1 and 0.05) at each of 200 steps, to 1e-9 relative.
 */
class ScheduleReferenceTest {
    static final double TOLERANCE = 1e-9;

    static JsonNode fixture() throws IOException {
        try (InputStream in = ScheduleReferenceTest.class.getResourceAsStream("/reference/schedules.json")) {
            assertNotNull(in, "reference/schedules.json is missing");
            return new ObjectMapper().readTree(in);
        }
    }

    static LearningRateSchedule build(String kind, JsonNode p) {
        return switch (kind) {
            case "step" -> new StepSchedule(p.get("stepSize").asLong(), p.get("gamma").asDouble());
            case "multistep" -> {
                long[] ms = new long[p.get("milestones").size()];
                for (int i = 0; i < ms.length; i++) {
                    ms[i] = p.get("milestones").get(i).asLong();
                }
                yield new MultiStepSchedule(ms, p.get("gamma").asDouble());
            }
            case "exponential" -> new ExponentialSchedule(p.get("gamma").asDouble());
            case "exponentialRate" -> ExponentialSchedule.ofRate(p.get("lambda").asDouble());
            case "cosine" -> new CosineSchedule(p.get("tMax").asLong(), p.get("etaMin").asDouble());
            case "cosineRestarts" -> new CosineWarmRestartsSchedule(p.get("t0").asLong(), p.get("tMult").asLong(),
                    p.get("etaMin").asDouble());
            case "polynomial" -> new PolynomialSchedule(p.get("totalIters").asLong(), p.get("power").asDouble());
            case "warmupCosine" -> new LinearWarmupSchedule(p.get("startFactor").asDouble(),
                    p.get("warmupSteps").asLong(), new CosineSchedule(p.get("tMax").asLong(), p.get("etaMin").asDouble()));
            case "warmupStep" -> new LinearWarmupSchedule(p.get("startFactor").asDouble(),
                    p.get("warmupSteps").asLong(), new StepSchedule(p.get("stepSize").asLong(), p.get("gamma").asDouble()));
            case "oneCycle" -> new OneCycleSchedule(p.get("totalSteps").asLong(), p.get("pctStart").asDouble(),
                    p.get("divFactor").asDouble(), p.get("finalDivFactor").asDouble());
            default -> throw new AssertionError("unknown schedule kind " + kind);
        };
    }

    static void assertRate(String what, double expected, double actual) {
        if (!(Math.abs(expected - actual) <= TOLERANCE * Math.abs(expected) + 1e-15)) {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual);
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchAtEveryStep() throws IOException {
        JsonNode root = fixture();
        int steps = root.get("steps").asInt();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("schedules")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                LearningRateSchedule s = build(c.get("kind").asText(), c.get("params"));
                // Through the optimizer, as the trainer applies it: each group scales from its initial rate.
                SGD opt = new SGD(List.of(group(root, 0), group(root, 1)), 0.9, 0, false);
                for (int t = 0; t < steps; t++) {
                    opt.applySchedule(s, t);
                    for (int g = 0; g < 2; g++) {
                        assertRate(name + " group " + g + " t=" + t, c.get("lr").get(g).get(t).asDouble(),
                                opt.groups().get(g).learningRate());
                    }
                }
                assertEquals(steps, c.get("lr").get(0).size());
            }));
        }
        return tests.stream();
    }

    /** OneCycle with a fixed peak ignores the groups' rates: torch with one max_lr. */
    @TestFactory
    Stream<DynamicTest> oneCycleWithFixedPeakMatchesPyTorch() throws IOException {
        JsonNode root = fixture();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("schedules")) {
            if (!c.get("kind").asText().equals("oneCycle")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                for (int g = 0; g < 2; g++) {
                    double peak = root.get("base").get(g).asDouble();
                    OneCycleSchedule s = ((OneCycleSchedule) build("oneCycle", c.get("params"))).withMaxLr(peak);
                    for (int t = 0; t < root.get("steps").asInt(); t++) {
                        assertRate("t=" + t, c.get("lr").get(g).get(t).asDouble(), s.learningRate(123.0, t));
                    }
                }
            }));
        }
        return tests.stream();
    }

    static ParameterGroup group(JsonNode root, int g) {
        return new ParameterGroup(List.of(new Parameter(Tensor.zeros(2))), root.get("base").get(g).asDouble(), 0);
    }
}
