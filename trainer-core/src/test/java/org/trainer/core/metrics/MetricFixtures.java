package org.trainer.core.metrics;

import static org.trainer.core.Fixtures.ints;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.trainer.core.Tensor;

/** Reads {@code reference/metrics/metrics.json}, made by {@code generate_metrics.py} beside it. */
final class MetricFixtures {
    private static JsonNode root;

    private MetricFixtures() {
    }

    static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = MetricFixtures.class.getResourceAsStream("/reference/metrics/metrics.json")) {
                assertNotNull(in, "reference/metrics/metrics.json is missing: run generate_metrics.py");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static double[] doubles(JsonNode node) {
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asDouble();
        }
        return v;
    }

    /** INT32 labels [N]. */
    static Tensor labels(JsonNode node) {
        int[] v = ints(node);
        return Tensor.fromArray(v, v.length);
    }
}
