package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a small CPU model loads before its first step ends ({@link StartupChild}, the quick start's
 * model, in a JVM of its own with the Vector API module, off a terminal): none of the work that cost
 * the quick start its start-up. No provider lookup on the class path (which opens every jar of it),
 * no slf4j (whose set-up is such a lookup), not the progress bar's library (at the end of a large
 * class path), no Vector API (whose classes and first products in the interpreter cost more than the
 * small products gain) and no record methods bootstrapped through {@code ObjectMethods}. Class
 * loading is deterministic, so this checks the start-up path without timing it.
 */
class StartupTest {
    @Test
    void aSmallModelsFirstStepLoadsNoneOfTheSlowStartUpWork(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Xmx256m",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                StartupChild.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, child.exitValue());
        List<String> before = new ArrayList<>();
        boolean marked = false;
        for (String line : Files.readAllLines(log)) {
            if (line.contains(StartupChild.FirstStepDone.class.getName() + " ")) {
                marked = true;
                break;
            }
            before.add(line);
        }
        assertTrue(marked, "the class-load log has no line for the end of the first step");
        assertTrue(before.stream().anyMatch(l -> l.contains("org.trainer.core.backend.cpu.SgemmDriver ")),
                "the first step's products ran before the mark");
        for (String slow : List.of("java.util.ServiceLoader$LazyClassPathLookupIterator ", "org.slf4j.",
                "me.tongfei.progressbar.", "jdk.incubator.vector.", "java.lang.runtime.ObjectMethods ")) {
            List<String> found = before.stream().filter(l -> l.contains(slow)).toList();
            assertTrue(found.isEmpty(), slow + " was loaded before the first step ended: " + found);
        }
    }
}
