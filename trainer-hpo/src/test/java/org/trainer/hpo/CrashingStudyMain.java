package org.trainer.hpo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The child process of {@link JournalCrashTest}: runs a journaled study of {@code maxTrials}
 * slow trials; each run of a trial appends "number x" to a log first.
 * Arguments: journal file, log file, maxTrials.
 */
public final class CrashingStudyMain {
    private CrashingStudyMain() {
    }

    public static void main(String[] args) {
        Path journal = Path.of(args[0]);
        Path log = Path.of(args[1]);
        int maxTrials = Integer.parseInt(args[2]);
        SearchSpace space = SearchSpace.builder().add("x", FloatRange.linear(-1, 1)).build();
        try (Study s = Study.builder().name("crash").direction(Direction.MINIMIZE).space(space).seed(4)
                .journal(journal).build()) {
            s.optimize(t -> {
                double x = (Double) t.params().get("x");
                Files.write(log, (t.number() + " " + x + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                for (int step = 1; step <= 3; step++) {
                    Thread.sleep(60);
                    t.report(step, x * x + 1.0 / step);
                }
                return x * x;
            }, maxTrials);
        }
    }

    static void append(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
