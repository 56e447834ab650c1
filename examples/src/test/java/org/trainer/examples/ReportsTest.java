package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The examples' reports go to one documented folder, never to one relative to the working directory. */
class ReportsTest {

    @Test
    void byDefaultTheReportsGoToTheExamplesBuildFolder() {
        assumeTrue(System.getenv("TRAINER_REPORTS") == null && System.getProperty("trainer.reports") == null);
        Path classes = Path.of("target", "classes").toAbsolutePath(); // surefire runs in the module's folder
        assertEquals(classes.getParent().resolve("reports"), Reports.directory());
    }

    @Test
    void thePropertyNamesAnotherFolder() {
        String before = System.getProperty("trainer.reports");
        try {
            System.setProperty("trainer.reports", "some/where");
            assertEquals(Path.of("some/where").toAbsolutePath(), Reports.directory());
        } finally {
            if (before == null) {
                System.clearProperty("trainer.reports");
            } else {
                System.setProperty("trainer.reports", before);
            }
        }
    }
}
