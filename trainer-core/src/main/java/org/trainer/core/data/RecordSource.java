package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a streaming format reads its bytes from: a name for error messages and a way to open the
 * bytes afresh, from the first one, at every pass (every epoch of a {@link StreamingLoader}).
 * The bytes may be gzipped: the formats detect the gzip magic bytes and decompress.
 *
 * <p><b>Pipes.</b> The bytes are read front to back only: a source is never asked to seek, skip
 * or say how much is available, so a named pipe (FIFO) or standard input serves as well as a
 * file. A pipe gives its bytes once: {@link #of(Path)} over a FIFO serves one epoch, and
 * {@link #perEpoch(Path)} opens a fresh pipe per epoch, as SageMaker's pipe mode names them
 * ({@code train_0}, {@code train_1}, ...). Each pipe needs its own writer: a format that reads two
 * sources at once (IDX images and labels) reads them side by side.
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

    /**
     * A new stream of the bytes of epoch {@code epoch}, from the first byte; the caller closes it.
     * A source whose bytes do not depend on the epoch opens them as {@link #open()} does.
     */
    default InputStream open(int epoch) throws IOException {
        return open();
    }

    /** The name of the bytes of epoch {@code epoch}, for messages: {@link #name()} unless they differ by epoch. */
    default String name(int epoch) {
        return name();
    }

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

    /** Opens the stream of one epoch, e.g. {@code epoch -> socketFor(epoch).getInputStream()}. */
    @FunctionalInterface
    interface EpochOpener {
        InputStream open(int epoch) throws IOException;
    }

    /**
     * A file, opened anew at each pass; its path names it. A named pipe (FIFO) or a device such as
     * {@code /dev/stdin} is read as a stream, one pass per writer.
     */
    static RecordSource of(Path file) {
        Objects.requireNonNull(file, "file");
        return of(file.toString(), () -> FileStreams.open(file));
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
                return checked(name, opener.open());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * A stream per epoch: {@code opener} is told the epoch (0 for {@link #open()}); messages name
     * the bytes of epoch e {@code name + "_" + e}.
     */
    static RecordSource perEpoch(String name, EpochOpener opener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opener, "opener");
        return new RecordSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String name(int epoch) {
                return name + "_" + epoch;
            }

            @Override
            public InputStream open() throws IOException {
                return open(0);
            }

            @Override
            public InputStream open(int epoch) throws IOException {
                if (epoch < 0) {
                    throw new IllegalArgumentException(name + ": epoch must be >= 0, got " + epoch);
                }
                return checked(name(epoch), opener.open(epoch));
            }

            @Override
            public String toString() {
                return name + "_<epoch>";
            }
        };
    }

    /**
     * One file or pipe per epoch, as SageMaker's pipe mode lays out a channel: epoch e reads
     * {@code prefix + "_" + e}, e.g. {@code perEpoch(Path.of("/opt/ml/input/data/train"))} reads
     * {@code train_0}, then {@code train_1}, ... A pipe is opened only when its epoch starts (opening
     * waits for its writer).
     */
    static RecordSource perEpoch(Path prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return perEpoch(prefix.toString(), epoch -> FileStreams.open(Path.of(prefix + "_" + epoch)));
    }

    private static InputStream checked(String name, InputStream in) throws IOException {
        if (in == null) {
            throw new IOException(name + ": the opener returned null instead of a stream");
        }
        return in;
    }
}
