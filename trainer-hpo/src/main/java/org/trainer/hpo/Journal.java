package org.trainer.hpo;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An append-only study journal: one JSON object per line, each event written with one write call
 * and forced to the device before {@link #append} returns, so a killed process loses at most the
 * event it was writing. Reading tolerates exactly that: a last line without its newline is a torn
 * write and is dropped (and cut off the file when it is opened for appending, so the next event
 * starts on a fresh line). A malformed line anywhere else is corruption and an error that names
 * the file and the line: a line that is not one JSON object (two records on one line, as a lost
 * newline leaves, are refused rather than one of them dropped), or an event that lacks a field it
 * needs or has one of the wrong type. One writer at a time: an open journal holds an exclusive lock on its file (several
 * workers share one study's file through {@link SharedJournal} instead, which locks it for each
 * append; see {@link Study.Builder#sharedJournal}).
 *
 * <p>Events (field "event"): {@code study} (name, direction, seed; the first line),
 * {@code start} (number, seed, params, distributions), {@code report} (number, step, value) and
 * {@code finish} (number, state, value, error, params, distributions). A later {@code start} of
 * the same number re-runs that trial: its reports start over.
 */
public final class Journal implements Closeable {
    private final Path file;
    private final FileChannel channel;
    private final List<JsonNode> events;
    /**
     * The journals of this JVM by the real path of their file, so that a shared open can refuse them
     * and a read goes through their channel.
     */
    private static final java.util.Map<Path, Journal> OPEN_HERE = new java.util.concurrent.ConcurrentHashMap<>();
    private Path realPath;

    private Journal(Path file, FileChannel channel, List<JsonNode> events) {
        this.file = file;
        this.channel = channel;
        this.events = events;
    }

    /**
     * Opens (creating it and its directory if absent) for appending, after reading what is there.
     *
     * @param file the journal file
     * @return the open journal
     */
    public static Journal open(Path file) {
        return open(file, events -> { });
    }

    /**
     * Opens (creating it and its directory if absent) for appending: takes an exclusive lock on
     * the file (a second writer, in this process or another, is refused), reads and parses what
     * is there, hands the events to {@code validate}, and only when it returns cuts a torn last
     * line off. When anything fails, including {@code validate}, the file is left as it was and
     * closed.
     *
     * @param file the journal file
     * @param validate checks the events read before anything is appended
     * @return the open journal
     * @throws IllegalStateException when another journal holds the file open for writing
     */
    public static Journal open(Path file, Consumer<List<JsonNode>> validate) {
        Objects.requireNonNull(file, "Journal.open: file");
        Objects.requireNonNull(validate, "Journal.open: validate");
        FileChannel ch = null;
        boolean ok = false;
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (SharedJournal.isOpenHere(file)) {
                throw new IllegalStateException("Journal: " + file + " is open as a shared journal by a study of this"
                        + " process; open it with Study.Builder.sharedJournal too, or close that study first");
            }
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another channel of this process
            }
            if (lock == null) {
                throw new IllegalStateException("Journal: " + file + " is already open for writing by another study;"
                        + " close that study first");
            }
            // Through the locked channel: opening and closing another descriptor of the file would
            // free this process's lock on it (POSIX record locks), letting a second writer in.
            byte[] bytes = readAll(ch);
            int good = lastNewline(bytes) + 1;
            List<JsonNode> events = parse(file, bytes, good);
            validate.accept(events); // immutable, and it keeps each event's line for the validator's messages
            ch.truncate(good);
            ch.position(good);
            Journal j = new Journal(file, ch, events);
            j.realPath = file.toRealPath();
            OPEN_HERE.put(j.realPath, j);
            ok = true;
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("Journal: cannot open " + file, e);
        } finally {
            if (!ok && ch != null) {
                try {
                    ch.close(); // releases the lock too
                } catch (IOException e) {
                    // the open already failed; that error is the one to report
                }
            }
        }
    }

    /** Whether a journal of this JVM holds {@code file} open (for writing, alone). */
    static boolean isOpenHere(Path file) {
        try {
            return Files.exists(file) && OPEN_HERE.containsKey(file.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The events of a journal, read only (a torn last line is skipped).
     *
     * @param file the journal file
     * @return the events
     */
    public static List<JsonNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Journal: no journal file at " + file);
        }
        try {
            // A journal of this JVM is read through its own channel, for the reason given in open.
            Journal here = OPEN_HERE.get(file.toRealPath());
            byte[] bytes = here != null ? readAll(here.channel) : SharedJournal.readAll(file);
            return parse(file, bytes, lastNewline(bytes) + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("Journal: cannot read " + file, e);
        }
    }

    /** The whole file through an open channel, which stays open (and keeps its position). */
    private static byte[] readAll(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(ch.size()));
        while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
            // read until full
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static List<JsonNode> parse(Path file, byte[] bytes, int length) {
        JournalEvents.Parser parser = new JournalEvents.Parser(file);
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        int lineNo = 0;
        for (String line : text.split("\n")) {
            parser.line(++lineNo, line);
        }
        return parser.events();
    }

    /**
     * The journal file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    /**
     * The events read when the journal was opened.
     *
     * @return the events
     */
    public List<JsonNode> events() {
        return Collections.unmodifiableList(events);
    }

    /**
     * Writes one event as one line and forces it to the device.
     *
     * @param event the event
     */
    public synchronized void append(ObjectNode event) {
        try {
            byte[] line = (JsonCodec.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("Journal: cannot append to " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (realPath != null) {
            OPEN_HERE.remove(realPath, this);
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Journal: cannot close " + file, e);
        }
    }
}
