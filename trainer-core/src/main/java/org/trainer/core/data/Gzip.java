package org.trainer.core.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Opens data that may or may not be gzipped, deciding by its first bytes rather than its name. */
final class Gzip {
    private Gzip() {
    }

    /** A buffered stream of the decompressed bytes if {@code in} starts with the gzip magic 1f 8b, else of the bytes as they are. */
    static InputStream maybeDecompress(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        }
        return buffered;
    }
}
