package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, from a resource that the build fills in ("unknown" when it is absent). */
final class LibraryVersion {
    private static final String VERSION = load();

    private LibraryVersion() {
    }

    static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
