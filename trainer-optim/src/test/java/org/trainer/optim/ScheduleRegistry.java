package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.trainer.core.train.LearningRateSchedule;

/**
 * The registry of learning-rate schedules that every schedule suite draws from: one row per kind
 * of reference/schedules.json (generate_schedules.py's {@code make}), building the Java schedule
 * from a case's parameters. The PyTorch replay (ScheduleReferenceTest) runs every fixture case
 * through it, and the contract (ScheduleContractTest) every schedule it builds. A new schedule adds
 * a row here and a case to generate_schedules.py; ScheduleReferenceTest's guard fails, naming the
 * class, until both exist.
 */
final class ScheduleRegistry {
    /** Kind to builder from the case's parameters. */
    static final Map<String, Function<JsonNode, LearningRateSchedule>> KINDS = new LinkedHashMap<>();

    /** The same functions as generate_schedules.py's LAMBDAS. */
    static final Map<String, LongToDoubleFunction> LAMBDAS = Map.of(
            "one", t -> 1.0,
            "inverseSqrt", t -> 1.0 / Math.sqrt(1.0 + t),
            "quadraticDecay", t -> Math.pow(1.0 - t / 250.0, 2),
            "piecewise", t -> t < 10 ? 0.1 : t < 100 ? 1.0 : 0.5,
            "decay97", t -> 0.97,
            "harmonic", t -> t / (t + 1.0),
            "tenthEvery30", t -> t % 30 == 0 ? 0.1 : 1.0);

    static {
        KINDS.put("constant", p -> new ConstantSchedule());
        KINDS.put("step", p -> new StepSchedule(p.get("stepSize").asLong(), p.get("gamma").asDouble()));
        KINDS.put("multistep", p -> new MultiStepSchedule(longs(p.get("milestones")), p.get("gamma").asDouble()));
        KINDS.put("exponential", p -> new ExponentialSchedule(p.get("gamma").asDouble()));
        KINDS.put("exponentialRate", p -> ExponentialSchedule.ofRate(p.get("lambda").asDouble()));
        KINDS.put("cosine", p -> new CosineSchedule(p.get("tMax").asLong(), p.get("etaMin").asDouble()));
        KINDS.put("cosineRestarts", p -> new CosineWarmRestartsSchedule(p.get("t0").asLong(), p.get("tMult").asLong(),
                p.get("etaMin").asDouble()));
        KINDS.put("polynomial", p -> new PolynomialSchedule(p.get("totalIters").asLong(), p.get("power").asDouble()));
        KINDS.put("warmupCosine", p -> new LinearWarmupSchedule(p.get("startFactor").asDouble(),
                p.get("warmupSteps").asLong(), new CosineSchedule(p.get("tMax").asLong(), p.get("etaMin").asDouble())));
        KINDS.put("warmupStep", p -> new LinearWarmupSchedule(p.get("startFactor").asDouble(),
                p.get("warmupSteps").asLong(), new StepSchedule(p.get("stepSize").asLong(), p.get("gamma").asDouble())));
        KINDS.put("linear", p -> new LinearSchedule(p.get("startFactor").asDouble(), p.get("endFactor").asDouble(),
                p.get("totalIters").asLong()));
        KINDS.put("constantFactor", p -> new ConstantFactorSchedule(p.get("factor").asDouble(),
                p.get("totalIters").asLong()));
        KINDS.put("lambda", p -> new LambdaSchedule(LAMBDAS.get(p.get("fn").asText())));
        KINDS.put("multiplicative", p -> new MultiplicativeSchedule(LAMBDAS.get(p.get("fn").asText())));
        KINDS.put("cyclic", p -> new CyclicSchedule(p.get("baseLr").asDouble(), p.get("maxLr").asDouble(),
                p.get("stepSizeUp").asLong(), p.get("stepSizeDown").asLong(),
                CyclicSchedule.Mode.valueOf(p.get("mode").asText().toUpperCase(Locale.ROOT)), p.get("gamma").asDouble(),
                false));
        KINDS.put("oneCycle", p -> new OneCycleSchedule(p.get("maxLr").asDouble(), p.get("totalSteps").asLong(),
                p.get("pctStart").asDouble(), OneCycleSchedule.Anneal.valueOf(p.get("anneal").asText().toUpperCase(Locale.ROOT)),
                p.get("divFactor").asDouble(), p.get("finalDivFactor").asDouble(), p.get("threePhase").asBoolean(), false));
        KINDS.put("sequential", p -> new SequentialSchedule(parts(p.get("schedules")), longs(p.get("milestones"))));
        KINDS.put("chained", p -> new ChainedSchedule(parts(p.get("schedules"))));
    }

    static LearningRateSchedule build(String kind, JsonNode p) {
        Function<JsonNode, LearningRateSchedule> b = KINDS.get(kind);
        if (b == null) {
            throw new AssertionError("unknown schedule kind " + kind + "; add it to ScheduleRegistry.KINDS");
        }
        return b.apply(p);
    }

    /** The parts of a composite; all per epoch, as torch counts every scheduler's step() alike. */
    private static List<LearningRateSchedule> parts(JsonNode specs) {
        List<LearningRateSchedule> out = new ArrayList<>();
        for (JsonNode s : specs) {
            out.add(build(s.get("kind").asText(), s.get("params")));
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private ScheduleRegistry() {
    }

    /** The fixture, reference/schedules.json. */
    static JsonNode fixture() throws IOException {
        try (InputStream in = ScheduleRegistry.class.getResourceAsStream("/reference/schedules.json")) {
            assertNotNull(in, "reference/schedules.json is missing");
            return new ObjectMapper().readTree(in);
        }
    }

    /** Every schedule of the fixture, built as its case states, by case name. */
    static Map<String, LearningRateSchedule> schedules() {
        Map<String, LearningRateSchedule> out = new LinkedHashMap<>();
        try {
            for (JsonNode c : fixture().get("schedules")) {
                out.put(c.get("name").asText(), build(c.get("kind").asText(), c.get("params")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
