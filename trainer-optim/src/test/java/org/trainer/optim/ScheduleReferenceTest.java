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
 * The schedules are built by {@link ScheduleRegistry}; {@link #everyScheduleHasAReferenceCase()}
 * is its guard.
 */
class ScheduleReferenceTest {
    static final double TOLERANCE = 1e-9;

    static JsonNode fixture() throws IOException {
        return ScheduleRegistry.fixture();
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
                LearningRateSchedule s = ScheduleRegistry.build(c.get("kind").asText(), c.get("params"));
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
            covered.add(ScheduleRegistry.build(c.get("kind").asText(), c.get("params")).getClass());
        }
        List<Class<?>> schedules = scheduleClasses();
        assertTrue(schedules.size() >= 15, "found only " + schedules);
        List<String> missing = new ArrayList<>();
        for (Class<?> k : schedules) {
            if (!covered.contains(k)) {
                missing.add(k.getSimpleName());
            }
        }
        assertEquals(List.of(), missing, "schedules without a case in reference/schedules.json (add a row to "
                + "ScheduleRegistry.KINDS and a case to generate_schedules.py)");
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
