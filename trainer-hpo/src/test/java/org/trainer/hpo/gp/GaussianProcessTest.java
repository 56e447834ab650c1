package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The posterior against scikit-learn's GaussianProcessRegressor (reference/generate_gp.py). */
class GaussianProcessTest {

    static JsonNode fixture() throws IOException {
        try (InputStream in = GaussianProcessTest.class.getResourceAsStream("/reference/gp.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static double[] doubles(JsonNode node) {
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asDouble();
        }
        return v;
    }

    static double[][] matrix(JsonNode node) {
        double[][] m = new double[node.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = doubles(node.get(i));
        }
        return m;
    }

    private static GaussianProcess referenceModel(JsonNode gp) {
        return new GaussianProcess(matrix(gp.get("x")), doubles(gp.get("y")), new GpHyperparameters(
                doubles(gp.get("lengthScales")), gp.get("signalVariance").asDouble(), gp.get("noiseVariance").asDouble()));
    }

    @Test
    void posteriorMatchesScikitLearn() throws IOException {
        JsonNode gp = fixture().get("gp");
        GaussianProcess model = referenceModel(gp);
        double[][] test = matrix(gp.get("xTest"));
        double[] mean = doubles(gp.get("mean"));
        double[] std = doubles(gp.get("std"));
        for (int i = 0; i < test.length; i++) {
            assertEquals(mean[i], model.mean(test[i]), 1e-8, "mean at test point " + i);
            assertEquals(std[i], Math.sqrt(model.variance(test[i])), 1e-7, "std at test point " + i);
        }
        assertEquals(gp.get("logMarginalLikelihood").asDouble(), model.logMarginalLikelihood(), 1e-7);
    }

    @Test
    void posteriorGradientsMatchFiniteDifferences() throws IOException {
        GaussianProcess model = referenceModel(fixture().get("gp"));
        double[] p = {0.31, 0.62, 0.47};
        double[] scratch = new double[model.size()];
        double[] out = new double[2];
        double[] gm = new double[3];
        double[] gv = new double[3];
        model.posterior(p, scratch, out, gm, gv);
        assertEquals(model.mean(p), out[0], 1e-12);
        assertEquals(model.variance(p), out[1], 1e-12);
        double h = 1e-6;
        for (int d = 0; d < 3; d++) {
            double[] pp = p.clone();
            double[] pm = p.clone();
            pp[d] += h;
            pm[d] -= h;
            assertEquals((model.mean(pp) - model.mean(pm)) / (2 * h), gm[d], 1e-6, "d mean / dx_" + d);
            assertEquals((model.variance(pp) - model.variance(pm)) / (2 * h), gv[d], 1e-6, "d var / dx_" + d);
        }
    }

    @Test
    void inverseTimesTheKernelMatrixIsTheIdentity() throws IOException {
        JsonNode gp = fixture().get("gp");
        GaussianProcess model = referenceModel(gp);
        int n = model.size();
        org.ejml.data.DMatrixRMaj k = model.kernel().copy();
        for (int i = 0; i < n; i++) {
            // noise plus the jitter of 1e-9 s that the model adds to the diagonal
            k.add(i, i, gp.get("noiseVariance").asDouble() + 1e-9 * gp.get("signalVariance").asDouble());
        }
        org.ejml.data.DMatrixRMaj product = new org.ejml.data.DMatrixRMaj(n, n);
        org.ejml.dense.row.CommonOps_DDRM.mult(model.inverse(), k, product);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(i == j ? 1 : 0, product.get(i, j), 1e-10, "(K^-1 K)[" + i + ", " + j + "]");
            }
        }
    }

    @Test
    void interpolatesNoiselessDataWithDuplicates() {
        double[][] x = {{0.1}, {0.5}, {0.5}, {0.9}};
        double[] y = {1, -2, -2, 0.5};
        GaussianProcess gp = new GaussianProcess(x, y, new GpHyperparameters(new double[] {0.3}, 1, 0));
        assertEquals(-2, gp.mean(new double[] {0.5}), 1e-5);
        assertTrue(gp.variance(new double[] {0.5}) < 1e-6);
        assertTrue(gp.variance(new double[] {0.3}) > 1e-3);
    }

    @Test
    void refusesBadInput() {
        GpHyperparameters h = new GpHyperparameters(new double[] {0.3}, 1, 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GaussianProcess(new double[][] {{0.1}, {0.2}}, new double[] {1}, h));
        assertTrue(e.getMessage().contains("2 rows but y has 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new GaussianProcess(new double[][] {{0.1, 0.2}}, new double[] {1}, h));
        assertTrue(e.getMessage().contains("expected 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new GaussianProcess(new double[][] {{0.1}}, new double[] {Double.NaN}, h));
        assertTrue(e.getMessage().contains("y[0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GpHyperparameters(new double[] {0}, 1, 0));
        assertTrue(e.getMessage().contains("lengthScales[0]"), e.getMessage());
    }
}
