package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads {@code reference/data/data.json}, made by {@code generate_data.py} beside it. */
public final class DataFixtures {
    private static JsonNode root;

    private DataFixtures() {
    }

    public static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = DataFixtures.class.getResourceAsStream("/reference/data/data.json")) {
                assertNotNull(in, "reference/data/data.json is missing: run generate_data.py");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }
}
