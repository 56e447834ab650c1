package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.monitor.Monitor;
import org.trainer.core.monitor.WeightUpdateRatio;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;

/** A monitor writing its findings into a job's output/data/findings.json as they come. */
class JobFindingsTest {

    @Test
    void findingsLandInTheJobsOutput(@TempDir Path root) throws Exception {
        JobContext ctx = new JobContext(JobDirectory.of(root), null, Map.of());
        Seeds.set(5);
        Sequential model = new Sequential(new Linear(64, 16), new Activation.ReLU(), new Linear(16, 10));
        Monitor m = Monitor.builder().every(2).rules(new WeightUpdateRatio(1e-5, 1e-1, 1)).writeTo(ctx).build();
        DataLoader train = DataLoader.builder(Digits.load()).batchSize(200).build();
        History h = new Trainer().callbacks(m).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 1e-8, 0), train, null, 1);
        assertEquals(2, h.findings().size(), "both weight matrices move by far less than 1e-5 of their norm");

        Path file = ctx.outputDataDir().resolve("findings.json");
        Map<String, Object> json = JsonFiles.readObject(file);
        List<?> findings = (List<?>) json.get("findings");
        assertEquals(2, findings.size());
        for (int i = 0; i < 2; i++) {
            Finding f = h.findings().get(i);
            Map<?, ?> saved = (Map<?, ?>) findings.get(i);
            assertEquals(Set.of("rule", "severity", "epoch", "iteration", "message", "values"), saved.keySet());
            assertEquals(f.rule(), saved.get("rule"));
            assertEquals(f.severity().name(), saved.get("severity"));
            assertEquals((long) f.epoch(), saved.get("epoch"));
            assertEquals(f.iteration(), saved.get("iteration"));
            assertEquals(f.message(), saved.get("message"));
            assertEquals(f.values(), saved.get("values"), "doubles written in full, read back bitwise");
        }
        try (var files = Files.list(ctx.outputDataDir())) {
            assertEquals(List.of(file), files.toList(), "no temporary left behind");
        }
    }
}
