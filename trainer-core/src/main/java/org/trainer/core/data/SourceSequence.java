package org.trainer.core.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The sources of a pass, opened one after another (gunzipped when they start with the gzip magic). */
final class SourceSequence implements Closeable {
    private final List<RecordSource> sources;
    private int next;
    private RecordSource current;
    private InputStream in;

    SourceSequence(List<RecordSource> sources) {
        this.sources = sources;
    }

    /** Closes the current source and opens the next; false when none is left. */
    boolean advance() throws IOException {
        close();
        if (next == sources.size()) {
            return false;
        }
        current = sources.get(next++);
        InputStream raw = current.open();
        try {
            in = Gzip.maybeDecompress(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw new IOException(current.name() + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** The open source's decompressed bytes. */
    InputStream stream() {
        return in;
    }

    /** The open source's name, for messages. */
    String name() {
        return current.name();
    }

    @Override
    public void close() throws IOException {
        InputStream open = in;
        in = null;
        if (open != null) {
            open.close();
        }
    }

    static String describe(List<RecordSource> sources) {
        return sources.size() == 1 ? sources.get(0).name()
                : sources.get(0).name() + " and " + (sources.size() - 1) + " more";
    }
}
