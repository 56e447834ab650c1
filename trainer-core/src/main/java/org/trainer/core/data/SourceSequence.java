package org.trainer.core.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The sources of a pass, opened one after another (gunzipped when they start with the gzip magic),
 * each with the bytes of the pass's epoch.
 */
final class SourceSequence implements Closeable {
    private final List<RecordSource> sources;
    private final int epoch;
    private int next;
    private RecordSource current;
    private InputStream in;

    SourceSequence(List<RecordSource> sources, int epoch) {
        this.sources = sources;
        this.epoch = epoch;
    }

    /** Closes the current source and opens the next; false when none is left. */
    boolean advance() throws IOException {
        close();
        if (next == sources.size()) {
            return false;
        }
        current = sources.get(next++);
        in = open(current, epoch);
        return true;
    }

    /** The bytes of {@code source} for {@code epoch}, decompressed; failures name the source. */
    static InputStream open(RecordSource source, int epoch) throws IOException {
        InputStream raw = source.open(epoch);
        try {
            return Gzip.maybeDecompress(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw new IOException(source.name(epoch) + ": " + e.getMessage(), e);
        }
    }

    /** The open source's decompressed bytes. */
    InputStream stream() {
        return in;
    }

    /** The open source's name for this epoch, for messages. */
    String name() {
        return current.name(epoch);
    }

    @Override
    public void close() throws IOException {
        InputStream open = in;
        in = null;
        if (open != null) {
            open.close();
        }
    }

    /** One source per file, in order. */
    static RecordSource[] files(Path... files) {
        Objects.requireNonNull(files, "files");
        return Arrays.stream(files).map(RecordSource::of).toArray(RecordSource[]::new);
    }

    /** The sources as an immutable list, refusing none or a null one. */
    static List<RecordSource> checked(RecordSource... sources) {
        Objects.requireNonNull(sources, "sources");
        if (sources.length == 0) {
            throw new IllegalArgumentException("sources: expected at least one source, got none");
        }
        for (int i = 0; i < sources.length; i++) {
            Objects.requireNonNull(sources[i], "sources[" + i + "]");
        }
        return List.of(sources);
    }

    /** A name for a list of sources in messages: the first one's, and how many more. */
    static String describe(List<RecordSource> sources) {
        return sources.size() == 1 ? sources.get(0).name()
                : sources.get(0).name() + " and " + (sources.size() - 1) + " more";
    }
}
