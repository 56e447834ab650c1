package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.train.LearningRateSchedule;

/**
 * The contract every schedule of {@link ScheduleRegistry} keeps, whatever its kind: a pure function
 * of (base, t) (the same bits in any order of asking), a finite rate >= 0 at every step including
 * far past its end, a refused negative step that names it, and, where it has a
 * {@code perIteration(boolean)} wither, a unit that changes what t counts and nothing else.
 */
class ScheduleContractTest {
    private static final int STEPS = 300;
    private static final double BASE = 0.1;

    @TestFactory
    Stream<DynamicTest> everyScheduleKeepsTheContract() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, LearningRateSchedule> e : ScheduleRegistry.schedules().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
        }
        assertTrue(tests.size() >= 19, "expected the fixture's schedules, got " + tests.size());
        return tests.stream();
    }

    private static void check(String name, LearningRateSchedule s) throws ReflectiveOperationException {
        double[] rates = rates(s);
        for (int t = STEPS - 1; t >= 0; t -= 7) {
            assertEquals(rates[t], s.learningRate(BASE, t), name + ": t=" + t + " asked again, backwards");
        }
        for (int t = 0; t < STEPS; t++) {
            assertTrue(Double.isFinite(rates[t]) && rates[t] >= 0, name + ": t=" + t + " rate " + rates[t]);
        }
        for (long t : new long[] {10_000, 100_000}) {
            double far = s.learningRate(BASE, t);
            assertTrue(Double.isFinite(far) && far >= 0, name + ": t=" + t + " rate " + far);
        }
        String message = assertThrows(IllegalArgumentException.class, () -> s.learningRate(BASE, -1),
                name + ": a negative step").getMessage();
        assertTrue(message.contains("step t must be >= 0, got -1"), name + ": message '" + message + "'");
        checkUnit(name, s, rates);
    }

    /** perIteration(true) and perIteration(false) set the unit and keep the rates. */
    private static void checkUnit(String name, LearningRateSchedule s, double[] rates)
            throws ReflectiveOperationException {
        Method wither;
        try {
            wither = s.getClass().getMethod("perIteration", boolean.class);
        } catch (NoSuchMethodException e) {
            return; // a composite: its unit is its parts' (ScheduleArgumentsTest)
        }
        for (boolean unit : new boolean[] {true, false}) {
            LearningRateSchedule u;
            try {
                u = (LearningRateSchedule) wither.invoke(s, unit);
            } catch (InvocationTargetException e) {
                throw new AssertionError(name + ": perIteration(" + unit + ") threw", e.getCause());
            }
            assertEquals(unit, u.perIteration(), name + ": perIteration(" + unit + ")");
            assertEquals(s.getClass(), u.getClass(), name + ": perIteration(" + unit + ") class");
            for (int t = 0; t < STEPS; t += 13) {
                assertEquals(rates[t], u.learningRate(BASE, t), name + ": perIteration(" + unit + ") t=" + t);
            }
        }
    }

    private static double[] rates(LearningRateSchedule s) {
        double[] out = new double[STEPS];
        for (int t = 0; t < STEPS; t++) {
            out[t] = s.learningRate(BASE, t);
        }
        return out;
    }
}
