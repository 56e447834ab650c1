package org.trainer.hpo;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A journal file that several studies append to, in this process and in others: the same line
 * format as {@link Journal}, written under a lock instead of by a single owner.
 *
 * <p>Each reader keeps its own offset (the end of the last complete line it has read). Between
 * {@link #lock()} and {@link #unlock()} the caller holds the journal alone: first an in-process
 * lock (a {@link FileLock} belongs to the whole JVM, so it cannot keep two threads apart), then an
 * exclusive POSIX advisory lock on the file ({@link FileChannel#lock()}). Under the lock,
 * {@link #readNew()} returns the lines other writers appended since the last call and
 * {@link #append} writes whole lines in one write, followed by {@code force}.
 *
 * <p>A last line without its newline can only come from a writer that died while writing (a
 * live writer holds the lock until its line is complete): the next {@link #readNew()} under the
 * lock cuts it off, so the next event starts on a fresh line and no complete record is lost.
 *
 * <p>One channel per file per JVM: closing any descriptor of a file drops every POSIX lock this
 * process holds on it, so studies of one JVM share a single channel (reference-counted) and
 * {@link #readAll} reads through it while it is open.
 */
final class SharedJournal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedJournal.class);
    private static final Map<Path, Handle> OPEN = new HashMap<>();

    /** The JVM's one channel on a file and the lock that keeps its threads apart. */
    private static final class Handle {
        final Path file;
        final FileChannel channel;
        final ReentrantLock threads = new ReentrantLock();
        int users;

        Handle(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }
    }

    private final Path file;
    private final Handle handle;
    private FileLock fileLock;
    private long offset;
    private int lines;
    private boolean closed;

    private SharedJournal(Path file, Handle handle) {
        this.file = file;
        this.handle = handle;
    }

    /**
     * Opens {@code file} for shared appending, creating it and its directory when absent; reads
     * nothing yet (the first {@link #readNew()} returns every line).
     */
    static SharedJournal open(Path file) {
        Objects.requireNonNull(file, "SharedJournal.open: file");
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            synchronized (OPEN) {
                if (Journal.isOpenHere(file)) {
                    // its channel holds this JVM's lock for as long as it is open; a second channel
                    // could not lock the file, and closing it would drop that lock
                    throw new IllegalStateException("SharedJournal: " + file + " is open for writing by a study of this"
                            + " process (Study.Builder.journal, which holds it alone); close that study first");
                }
                if (!Files.exists(file)) {
                    Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
                }
                Path key = file.toRealPath();
                Handle h = OPEN.get(key);
                if (h == null) {
                    h = new Handle(key, FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE));
                    OPEN.put(key, h);
                }
                h.users++;
                return new SharedJournal(file, h);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("SharedJournal: cannot open " + file, e);
        }
    }

    /** Whether a study of this JVM has {@code file} open as a shared journal. */
    static boolean isOpenHere(Path file) {
        synchronized (OPEN) {
            try {
                return Files.exists(file) && OPEN.containsKey(file.toRealPath());
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * The bytes of {@code file}: through the shared channel when a study of this JVM has it open
     * (opening and closing another descriptor would drop that study's lock), else read directly.
     */
    static byte[] readAll(Path file) throws IOException {
        Handle h;
        synchronized (OPEN) {
            h = Files.exists(file) ? OPEN.get(file.toRealPath()) : null;
        }
        if (h == null) {
            return Files.readAllBytes(file);
        }
        h.threads.lock();
        try {
            long size = h.channel.size();
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
            while (buf.hasRemaining() && h.channel.read(buf, buf.position()) >= 0) {
                // a concurrent writer elsewhere may extend the file; a short read ends at its old size
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        } finally {
            h.threads.unlock();
        }
    }

    Path file() {
        return file;
    }

    /**
     * Takes the journal: this JVM's lock for the file, then the exclusive file lock (waiting for
     * other processes). Pair with {@link #unlock()} in a finally block.
     */
    void lock() {
        handle.threads.lock();
        try {
            if (closed) {
                throw new IllegalStateException("SharedJournal: " + file + " is closed");
            }
            fileLock = handle.channel.lock();
        } catch (IOException e) {
            handle.threads.unlock();
            throw new UncheckedIOException("SharedJournal: cannot lock " + file, e);
        } catch (RuntimeException e) {
            handle.threads.unlock();
            throw e;
        }
    }

    /** Releases what {@link #lock()} took. */
    void unlock() {
        try {
            if (fileLock != null && fileLock.isValid()) {
                fileLock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("SharedJournal: cannot unlock " + file, e);
        } finally {
            fileLock = null;
            handle.threads.unlock();
        }
    }

    private void requireLock() {
        if (!handle.threads.isHeldByCurrentThread() || fileLock == null) {
            throw new IllegalStateException("SharedJournal: " + file + " must be locked first");
        }
    }

    /**
     * The events appended since the last call (by anyone), parsed; advances this reader's offset
     * past them. A torn last line (no newline) is cut off the file. Requires the lock.
     *
     * @throws IllegalStateException when a complete line is not JSON (naming file and line)
     */
    List<JsonNode> readNew() {
        requireLock();
        try {
            long size = handle.channel.size();
            if (size < offset) {
                throw new IllegalStateException("SharedJournal: " + file + " shrank from " + offset + " to " + size
                        + " bytes; a journal is append-only");
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - offset));
            while (buf.hasRemaining()) {
                if (handle.channel.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            byte[] bytes = buf.array();
            int end = buf.position();
            int good = end;
            while (good > 0 && bytes[good - 1] != '\n') {
                good--;
            }
            JournalEvents.Parser parser = new JournalEvents.Parser(file);
            int start = 0;
            int line = lines; // advanced only once every line parsed, so a refusal leaves this reader where it was
            for (int i = 0; i < good; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    parser.line(line, new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            lines = line;
            List<JsonNode> out = parser.events();
            if (good < end) {
                // Under the lock no writer is mid-line: these bytes were left by one that died.
                LOG.warn("journal {}: cutting off a torn line {} ({} bytes) left by a writer that died", file,
                        lines + 1, end - good);
                handle.channel.truncate(offset + good);
                handle.channel.force(false);
            }
            offset += good;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("SharedJournal: cannot read " + file, e);
        }
    }

    /**
     * Appends {@code events}, one line each, in a single write at the end of the file, and forces
     * them to the device; advances this reader's offset past them (the caller applies its own
     * events). Requires the lock and a {@link #readNew()} since taking it.
     */
    void append(List<ObjectNode> events) {
        requireLock();
        try {
            StringBuilder sb = new StringBuilder();
            for (ObjectNode e : events) {
                sb.append(JsonCodec.MAPPER.writeValueAsString(e)).append('\n');
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            long size = handle.channel.size();
            if (size != offset) {
                throw new IllegalStateException("SharedJournal: " + file + " has " + (size - offset)
                        + " unread bytes at offset " + offset + "; read them before appending");
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                handle.channel.write(buf, offset + buf.position());
            }
            handle.channel.force(false);
            offset += bytes.length;
            lines += events.size();
        } catch (IOException e) {
            throw new UncheckedIOException("SharedJournal: cannot append to " + file, e);
        }
    }

    /** Closes this reader; the JVM's channel (and any lock on it) goes with the last one. */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (closed) {
                return;
            }
            closed = true;
            if (--handle.users == 0) {
                OPEN.remove(handle.file);
                try {
                    handle.channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("SharedJournal: cannot close " + file, e);
                }
            }
        }
    }
}
