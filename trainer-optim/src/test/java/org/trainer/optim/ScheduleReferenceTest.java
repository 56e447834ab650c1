package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongToDoubleFunction;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
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

    /**
     * The registry of schedule kinds: one row per kind of the fixture (generate_schedules.py's
     * {@code make}), building the Java schedule from the case's parameters. A new schedule adds a row
     * here and a case there; {@link #everyScheduleHasAReferenceCase()} fails until both exist.
     */
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
            throw new AssertionError("unknown schedule kind " + kind + "; add it to ScheduleReferenceTest.KINDS");
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
                SGD opt = new SGD(OptimizerGroup.from(List.of(group(root, 0), group(root, 1)),
                        SGD.options(0).withMomentum(0.9)));
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

    /** Every public schedule of the package has at least one case in the fixture, by its class. */
    @Test
    void everyScheduleHasAReferenceCase() throws IOException, URISyntaxException {
        Set<Class<?>> covered = new HashSet<>();
        for (JsonNode c : fixture().get("schedules")) {
            covered.add(build(c.get("kind").asText(), c.get("params")).getClass());
        }
        List<Class<?>> schedules = scheduleClasses();
        assertTrue(schedules.size() >= 15, "found only " + schedules);
        List<String> missing = new ArrayList<>();
        for (Class<?> k : schedules) {
            if (!covered.contains(k)) {
                missing.add(k.getSimpleName());
            }
        }
        assertEquals(List.of(), missing, "schedules without a case in reference/schedules.json (add a row to KINDS "
                + "and a case to generate_schedules.py)");
    }

    /** The public, concrete LearningRateSchedule classes of org.trainer.optim, from its compiled classes. */
    static List<Class<?>> scheduleClasses() throws IOException, URISyntaxException {
        return publicClasses(LearningRateSchedule.class);
    }

    /** The public, concrete classes of org.trainer.optim that are a {@code kind}, from its compiled classes. */
    static List<Class<?>> publicClasses(Class<?> kind) throws IOException, URISyntaxException {
        String pkg = CosineSchedule.class.getPackageName();
        Path where = Path.of(CosineSchedule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> files = Files.list(where.resolve(pkg.replace('.', '/')))) {
                files.map(f -> f.getFileName().toString()).forEach(names::add);
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                String prefix = pkg.replace('.', '/') + "/";
                jar.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
                        .map(n -> n.substring(prefix.length())).forEach(names::add);
            }
        }
        List<Class<?>> out = new ArrayList<>();
        for (String n : names) {
            if (!n.endsWith(".class") || n.contains("$")) {
                continue;
            }
            Class<?> k;
            try {
                k = Class.forName(pkg + "." + n.substring(0, n.length() - ".class".length()));
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            if (kind.isAssignableFrom(k) && Modifier.isPublic(k.getModifiers())
                    && !k.isInterface() && !Modifier.isAbstract(k.getModifiers())) {
                out.add(k);
            }
        }
        out.sort(Comparator.comparing(Class::getName));
        return out;
    }

    static ParameterGroup group(JsonNode root, int g) {
        return new ParameterGroup(List.of(new Parameter(Tensor.zeros(2))), root.get("base").get(g).asDouble(), 0);
    }
}
