package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** log h(z) against a direct 60-digit computation (reference/generate_gp.py). */
class LogEiTest {

    @Test
    void logHMatchesHighPrecisionOverAWideRange() throws IOException {
        for (JsonNode row : GaussianProcessTest.fixture().get("logEi")) {
            double z = row.get("z").asDouble();
            double logH = row.get("logH").asDouble();
            double logCdf = row.get("logCdf").asDouble();
            double dLogH = row.get("dLogH").asDouble();
            assertEquals(logH, LogEi.logH(z), 1e-12 * Math.max(1, Math.abs(logH)), "log h at z = " + z);
            assertEquals(logCdf, LogEi.logCdf(z), 1e-12 * Math.max(1, Math.abs(logCdf)), "log Phi at z = " + z);
            assertEquals(dLogH, LogEi.dLogH(z), 1e-10 * Math.max(1, Math.abs(dLogH)), "d log h / dz at z = " + z);
        }
    }

    @Test
    void stableWhereTheDirectFormulaUnderflows() {
        double direct = Math.log(LogEi.phi(-40) + -40 * LogEi.cdf(-40));
        assertTrue(Double.isInfinite(direct) || Double.isNaN(direct), "the naive form fails at z = -40: " + direct);
        assertTrue(Double.isFinite(LogEi.logH(-40)));
        // Increasing in z (h' = Phi > 0), across the branch points.
        double prev = Double.NEGATIVE_INFINITY;
        for (double z = -200; z <= 10; z += 0.01) {
            double v = LogEi.logH(z);
            assertTrue(v > prev, "log h must increase at z = " + z);
            prev = v;
        }
    }

    @Test
    void erfcxMatchesKnownValues() {
        // erfcx(x) = exp(x^2) erfc(x); values from mpmath.
        assertEquals(1.0, LogEi.erfcx(0), 1e-15);
        assertEquals(0.42758357615580700442, LogEi.erfcx(1), 1e-14);
        assertEquals(0.25539567631050574386, LogEi.erfcx(2), 1e-14);
        assertEquals(0.05614099274382258586, LogEi.erfcx(10), 1e-15);
    }

    @Test
    void acquisitionPartialsMatchFiniteDifferences() {
        for (Acquisition a : Acquisition.values()) {
            AcquisitionOptimizer opt = new AcquisitionOptimizer(a, 3.0, 16, 1);
            double[][] cases = {{0.2, 0.5, -0.3}, {2.0, 0.01, -1.0}, {-0.5, 1.3, 0.4}, {8.0, 0.04, -0.5}};
            for (double[] c : cases) {
                double[] partials = new double[2];
                double v = opt.valueAndPartials(c[0], c[1], c[2], partials);
                assertEquals(opt.value(c[0], c[1], c[2]), v, 1e-14);
                double h = 1e-6;
                double dm = (opt.value(c[0] + h, c[1], c[2]) - opt.value(c[0] - h, c[1], c[2])) / (2 * h);
                double dv = (opt.value(c[0], c[1] + h * c[1], c[2]) - opt.value(c[0], c[1] - h * c[1], c[2])) / (2 * h * c[1]);
                assertEquals(dm, partials[0], 1e-5 * Math.max(1, Math.abs(dm)), a + " d/d mean at " + java.util.Arrays.toString(c));
                assertEquals(dv, partials[1], 1e-5 * Math.max(1, Math.abs(dv)), a + " d/d var at " + java.util.Arrays.toString(c));
            }
        }
    }
}
