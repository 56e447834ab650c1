package org.trainer.cuda;

import java.util.Locale;

/** Human-readable byte counts for messages. */
final class Bytes {
    private Bytes() {
    }

    static String str(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s (%d bytes)", v, units[u], bytes);
    }
}
