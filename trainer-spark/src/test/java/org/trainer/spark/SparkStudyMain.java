package org.trainer.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import org.trainer.hpo.Direction;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Study;

/**
 * The coordinator of {@link SparkTrialRestartTest}, run in a child JVM: a journaled study of
 * {@code maxTrials} slow trials of a quadratic, two at a time on an embedded local[2] Spark; each
 * run of a trial appends "number x y" to a log first. Arguments: journal file, log file, maxTrials.
 */
public final class SparkStudyMain {
    private SparkStudyMain() {
    }

    static SearchSpace space() {
        return SearchSpace.builder().add("x", FloatRange.linear(-1, 1)).add("y", FloatRange.linear(-1, 1)).build();
    }

    static double quadratic(Map<String, Object> p) {
        double x = (Double) p.get("x");
        double y = (Double) p.get("y");
        return (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2);
    }

    public static void main(String[] args) {
        Path journal = Path.of(args[0]);
        String log = args[1];
        int maxTrials = Integer.parseInt(args[2]);
        try (Study study = Study.builder().name("restart").direction(Direction.MINIMIZE).space(space()).seed(8)
                .journal(journal).build();
             SparkTrialExecutor ex = SparkTrialExecutor.builder(t -> slowQuadratic(t, log)).parallelism(2).build()) {
            study.optimize(ex, maxTrials);
        }
    }

    private static double slowQuadratic(RemoteTrial t, String log) throws Exception {
        Files.write(Path.of(log), (t.number() + " " + t.params().get("x") + " " + t.params().get("y") + "\n")
                .getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        double q = quadratic(t.params());
        for (int step = 1; step <= 3; step++) {
            Thread.sleep(150);
            t.report(step, q + 1.0 / step);
        }
        return q;
    }
}
