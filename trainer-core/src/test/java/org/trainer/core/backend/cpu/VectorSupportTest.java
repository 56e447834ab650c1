package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The one notice on standard error when the Vector API module is missing: its wording and when it shows. */
class VectorSupportTest {

    /** The tests run with the module, so a kernel that exists loads and one that does not is null. */
    @Test
    void loadCreatesTheNamedKernelOrReturnsNull() {
        assertInstanceOf(VectorGruCell.class, VectorSupport.load(GruCellKernel.class, "VectorGruCell", false, "test"));
        assertNull(VectorSupport.load(GruCellKernel.class, "VectorNoSuchCell", false, "test"));
    }

    @Test
    void theNoticeNamesTheFlagAndEveryPlaceToPutIt() {
        String notice = VectorSupport.notice();
        for (String s : List.of("--add-modules jdk.incubator.vector", "java --add-modules jdk.incubator.vector -cp",
                "<argLine>--add-modules jdk.incubator.vector</argLine>", ".mvn/jvm.config", "run configuration",
                "JDK_JAVA_OPTIONS=\"--add-modules jdk.incubator.vector\"", "-Dtrainer.vector.warning=false")) {
            assertTrue(notice.contains(s), "missing " + s + " in:\n" + notice);
        }
    }

    @Test
    void aJvmWithoutTheModulePrintsTheNoticeOnceOnStandardError() throws Exception {
        String err = runChild();
        assertEquals(1, count(err, "WARNING: trainer: the JDK module jdk.incubator.vector is not loaded"), err);
        assertTrue(err.contains(VectorSupport.notice()), err);
    }

    @Test
    void aJvmWithTheModuleOrThePropertyPrintsNothing() throws Exception {
        assertEquals(0, count(runChild("--add-modules=jdk.incubator.vector"), "WARNING: trainer:"));
        assertEquals(0, count(runChild("-Dtrainer.vector.warning=false"), "WARNING: trainer:"));
    }

    /** Runs {@link VectorNoticeChild} in a JVM with the given options; returns its standard error. */
    private static String runChild(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options));
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), VectorNoticeChild.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process child = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), err);
        return err;
    }

    private static int count(String text, String s) {
        int n = 0;
        for (int i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }
}
