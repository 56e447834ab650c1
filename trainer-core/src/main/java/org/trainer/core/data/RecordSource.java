package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a streaming format reads its bytes from: a name for error messages and a way to open the
 * bytes afresh, from the first one, at every pass (every epoch of a {@link StreamingLoader}).
 * The bytes may be gzipped: the formats detect the gzip magic bytes and decompress.
 */
public interface RecordSource {

    /**
     * The name used in error messages: a file name, a URL, a description of the stream.
     *
     * @return the name
     */
    String name();

    /**
     * A new stream positioned at the first byte; the caller closes it.
     *
     * @return the stream
     * @throws IOException if the source cannot be opened
     */
    InputStream open() throws IOException;

    /** Opens a new {@link InputStream} on each call, e.g. {@code () -> url.openStream()}. */
    @FunctionalInterface
    interface Opener {
        /**
         * Opens a new stream over the source's bytes from the start.
         *
         * @return the stream
         * @throws IOException if the source cannot be opened
         */
        InputStream open() throws IOException;
    }

    /**
     * A file, opened anew at each pass; its path names it.
     *
     * @param file the file
     * @return the source
     */
    static RecordSource of(Path file) {
        Objects.requireNonNull(file, "file");
        return of(file.toString(), () -> Files.newInputStream(file));
    }

    /**
     * A stream opened by {@code opener} at each pass. The opener must give the same bytes each
     * time (a pass is a function of the epoch only); a one-shot stream, such as standard input,
     * serves a single epoch.
     *
     * @param name the name for error messages
     * @param opener opens the stream
     * @return the source
     */
    static RecordSource of(String name, Opener opener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opener, "opener");
        return new RecordSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open() throws IOException {
                InputStream in = opener.open();
                if (in == null) {
                    throw new IOException(name + ": the opener returned null instead of a stream");
                }
                return in;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
