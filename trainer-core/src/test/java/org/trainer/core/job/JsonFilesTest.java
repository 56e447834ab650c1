package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {

    @Test
    void nanAndInfinitiesAreBareNumbersAsPythonWritesThem(@TempDir Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("ninf", Double.NEGATIVE_INFINITY);
        m.put("x", 0.25);
        Path f = dir.resolve("metrics.json");
        JsonFiles.writeObject(f, m);
        String text = Files.readString(f);
        // Python's json.dumps({"nan": float("nan"), ...}) writes these very tokens.
        assertTrue(text.contains("\"nan\" : NaN") && text.contains("\"inf\" : Infinity")
                && text.contains("\"ninf\" : -Infinity"), text);
        Map<String, Object> back = JsonFiles.readObject(f);
        assertEquals(m, back, "read back as Double, not String");
        assertTrue(back.get("nan") instanceof Double);
    }

    @Test
    void aHistoryPaddedWithNanReadsBackAsNumbersAndAJobResultSeesNan(@TempDir Path root) throws IOException {
        JobDirectory d = JobDirectory.of(root);
        d.createOutputs();
        JsonFiles.write(d.outputDataDir().resolve("history.json"), g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("val_loss");
            for (double v : new double[] {Double.NaN, 0.5, Double.POSITIVE_INFINITY}) {
                JsonFiles.scalar(g, v);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        assertEquals(List.of(Double.NaN, 0.5, Double.POSITIVE_INFINITY),
                JsonFiles.readObject(d.outputDataDir().resolve("history.json")).get("val_loss"));
        JsonFiles.writeObject(d.outputDataDir().resolve("metrics.json"), Map.of("val_loss", Double.NaN));
        assertTrue(Double.isNaN(JobResult.read(d, 0).metrics().get("val_loss")));
        // Python's own output, e.g. json.dumps({"loss": [float("nan"), 1.5, float("-inf")]}).
        Files.writeString(d.outputDataDir().resolve("py.json"), "{\"loss\": [NaN, 1.5, -Infinity]}");
        assertEquals(Arrays.asList(Double.NaN, 1.5, Double.NEGATIVE_INFINITY),
                JsonFiles.readObject(d.outputDataDir().resolve("py.json")).get("loss"));
    }
}
