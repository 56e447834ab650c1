package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LbfgsTest {

    @Test
    void minimizesRosenbrock() {
        Lbfgs.Objective rosen = (x, g) -> {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        };
        double[] x = {-1.2, 1};
        double f = new Lbfgs(8, 500, 1e-10, 1e-14).minimize(rosen, x, null, null);
        assertEquals(0, f, 1e-10);
        assertEquals(1, x[0], 1e-5);
        assertEquals(1, x[1], 1e-5);
    }

    @Test
    void stopsAtTheBoxWhenTheMinimumLiesOutside() {
        // (x0 - 2)^2 + (x1 - 0.3)^2 on [0, 1]^2: the constrained minimum is (1, 0.3).
        Lbfgs.Objective q = (x, g) -> {
            g[0] = 2 * (x[0] - 2);
            g[1] = 2 * (x[1] - 0.3);
            return (x[0] - 2) * (x[0] - 2) + (x[1] - 0.3) * (x[1] - 0.3);
        };
        double[] x = {0.1, 0.9};
        new Lbfgs(5, 100, 1e-10, 1e-14).minimize(q, x, new double[] {0, 0}, new double[] {1, 1});
        assertEquals(1, x[0], 1e-12);
        assertEquals(0.3, x[1], 1e-7);
    }
}
