package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** PowerTransform against SciPy's maximum-likelihood Box-Cox and Yeo-Johnson (reference/power.json). */
class PowerTransformTest {

    private static JsonNode fixture() throws IOException {
        try (InputStream in = PowerTransformTest.class.getResourceAsStream("/reference/power.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void exponentAndTransformMatchScipy() throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = fixture().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode c = e.getValue();
            double[] y = GaussianProcessTest.doubles(c.get("y"));
            boolean boxCox = c.get("family").asText().equals("box-cox");
            double lambda = c.get("lambda").asDouble();
            PowerTransform t = PowerTransform.fit(y);
            assertEquals(boxCox, t.boxCox(), e.getKey() + ": family");
            // Within the allowed exponents the fit finds SciPy's; beyond, the nearest end.
            double expected = Math.max(PowerTransform.MIN_LAMBDA, Math.min(PowerTransform.MAX_LAMBDA, lambda));
            assertEquals(expected, t.lambda(), 2e-4, e.getKey() + ": lambda");
            double sd = standardDeviation(y);
            double[] reference = GaussianProcessTest.doubles(c.get("transformed"));
            for (int i = 0; i < y.length; i++) {
                assertEquals(reference[i], PowerTransform.transform(y[i] / sd, lambda, boxCox),
                        1e-9 * Math.max(1, Math.abs(reference[i])), e.getKey() + ": t(z[" + i + "])");
            }
        }
    }

    @Test
    void appliedValuesAreStandardizedAndKeepTheOrder() throws IOException {
        double[] y = GaussianProcessTest.doubles(fixture().get("lognormal").get("y"));
        PowerTransform t = PowerTransform.fit(y);
        double mean = 0;
        double square = 0;
        for (double v : y) {
            double w = t.apply(v);
            mean += w / y.length;
            square += w * w / y.length;
        }
        assertEquals(0, mean, 1e-12);
        assertEquals(1, square - mean * mean, 1e-12);
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y.length; j++) {
                if (y[i] < y[j]) {
                    assertTrue(t.apply(y[i]) < t.apply(y[j]), "monotone at " + y[i] + " < " + y[j]);
                }
            }
        }
    }

    @Test
    void logJacobianIsTheSumOfLogDerivatives() throws IOException {
        for (String name : new String[] {"exponential", "shifted_exponential"}) {
            double[] y = GaussianProcessTest.doubles(fixture().get(name).get("y"));
            PowerTransform t = PowerTransform.fit(y);
            double numeric = 0;
            for (double v : y) {
                double h = 1e-6 * Math.max(1, Math.abs(v));
                numeric += Math.log((t.apply(v + h) - t.apply(v - h)) / (2 * h));
            }
            assertEquals(numeric, t.logJacobian(y), 1e-5 * Math.abs(numeric), name);
        }
    }

    @Test
    void standardizationIsAffine() {
        double[] y = {3, -1, 4, 1, 5, 9, 2, 6};
        PowerTransform t = PowerTransform.standardization(y);
        double mean = 29 / 8.0;
        double sd = standardDeviation(y);
        for (double v : y) {
            assertEquals((v - mean) / sd, t.apply(v), 1e-12);
        }
        assertEquals(-y.length * Math.log(sd), t.logJacobian(y), 1e-12);
        // Constant losses: scale 1, so they all map to 0.
        assertEquals(0, PowerTransform.fit(new double[] {2, 2, 2}).apply(2), 1e-12);
    }

    private static double standardDeviation(double[] y) {
        double m = 0;
        for (double v : y) {
            m += v / y.length;
        }
        double s = 0;
        for (double v : y) {
            s += (v - m) * (v - m) / y.length;
        }
        return Math.sqrt(s);
    }
}
