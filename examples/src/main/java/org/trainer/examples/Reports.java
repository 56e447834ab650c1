package org.trainer.examples;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the examples write their reports, whatever the working directory: the folder named by the
 * {@code trainer.reports} system property or the {@code TRAINER_REPORTS} environment variable;
 * otherwise {@code reports/} in the examples' build folder ({@code examples/target/reports}, found
 * from where these classes were loaded, so that {@code mvn exec:exec} and
 * {@code java -cp examples/target/classes:...} write to the same place); otherwise
 * {@code trainer-reports/} in the system's temporary folder.
 */
final class Reports {
    private Reports() {
    }

    /** The reports folder, absolute (not created here). */
    static Path directory() {
        String named = System.getProperty("trainer.reports", System.getenv("TRAINER_REPORTS"));
        if (named != null && !named.isBlank()) {
            return Path.of(named).toAbsolutePath();
        }
        Path target = buildFolder();
        return target != null ? target.resolve("reports")
                : Path.of(System.getProperty("java.io.tmpdir"), "trainer-reports").toAbsolutePath();
    }

    /** The {@code target} folder holding these classes (target/classes or a jar in target), or null. */
    private static Path buildFolder() {
        try {
            CodeSource source = Reports.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            Path parent = Path.of(source.getLocation().toURI()).toAbsolutePath().getParent();
            return parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("target")
                    ? parent : null;
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
