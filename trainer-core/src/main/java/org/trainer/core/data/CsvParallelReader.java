package org.trainer.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.trainer.core.DType;

/**
 * {@link CsvRecords} decoded by worker threads: the reading thread cuts each source into chunks
 * of whole lines (about {@value #CHUNK} bytes) and hands them to the workers; it takes the parsed
 * chunks back in the order it cut them, so the records, their values and the first error are
 * exactly those of the serial reader, whatever the number of workers. Up to 2 x workers + 1
 * chunks are in flight.
 *
 * <p>Lines are cut at line feeds, so a quoted field may not span lines (no number does: such a
 * field fails as the serial reader's would, with a message that may differ).
 */
final class CsvParallelReader implements RecordReader {
    static final int CHUNK = 1 << 18;

    private final List<RecordSource> sources;
    private final SourceSequence files;
    private final int labelColumn;
    private final boolean classes;
    private final boolean header;
    private final char delimiter;
    private final CSVFormat csv;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<CsvChunk> chunks = new ArrayDeque<>();
    private final ArrayDeque<Future<CsvChunkParser.Parsed>> parsed = new ArrayDeque<>();
    private CsvColumns columns;
    private CsvChunkParser parser;

    // The cutting side: the open source's bytes in buf[start, end).
    private byte[] buf = new byte[2 * CHUNK];
    private int start;
    private int end;
    private boolean eof;
    private boolean sourceOpen;
    private boolean cutFailed;
    private int sourceIndex = -1;
    private long offset;
    private boolean firstOfSource;
    private long linesBefore;
    private long newlinesBefore;

    // The delivering side.
    private CsvChunk chunk;
    private CsvChunkParser.Parsed current;
    private int row;
    private long recordBase;
    private long lineBase;
    private long newlineBase;

    CsvParallelReader(List<RecordSource> sources, int epoch, int labelColumn, boolean classes, boolean header,
                      char delimiter, CSVFormat csv, int workers) {
        this.sources = sources;
        this.files = new SourceSequence(sources, epoch);
        this.labelColumn = labelColumn;
        this.classes = classes;
        this.header = header;
        this.delimiter = delimiter;
        this.csv = csv;
        this.maxInFlight = 2 * workers + 1;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "csv-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads up to the first data row, which must exist; the column count is then fixed. */
    void start() throws IOException {
        if (!fill()) {
            throw new IllegalArgumentException(SourceSequence.describe(sources) + ": no data rows"
                    + (header ? " after the header" : ""));
        }
    }

    @Override
    public int[] featureShape() {
        return new int[] {columns.featureCount()};
    }

    @Override
    public int[] targetShape() {
        return new int[0];
    }

    @Override
    public DType targetType() {
        return classes ? DType.INT32 : DType.FLOAT32;
    }

    @Override
    public boolean read(float[] features, int featureOffset, float[] targets, int targetOffset) throws IOException {
        if (!fill()) {
            return false;
        }
        if (row == current.rows) {
            throw failure(current.failure);
        }
        int f = columns.featureCount();
        System.arraycopy(current.x, row * f, features, featureOffset, f);
        targets[targetOffset] = current.y[row];
        row++;
        return true;
    }

    /** Makes {@link #current} hold a row to deliver or a failure to throw; false at the end of the pass. */
    private boolean fill() throws IOException {
        while (current == null || (row == current.rows && current.failure == null)) {
            if (current != null) {
                recordBase += current.rows;
                lineBase += current.lines;
                newlineBase += current.newlines;
                current = null;
            }
            topUp();
            if (parsed.isEmpty()) {
                return false;
            }
            chunk = chunks.poll();
            current = take(parsed.poll());
            row = 0;
            if (chunk.firstOfSource()) {
                recordBase = 0;
                lineBase = chunk.linesBefore();
                newlineBase = chunk.newlinesBefore();
            }
        }
        return true;
    }

    private static CsvChunkParser.Parsed take(Future<CsvChunkParser.Parsed> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a CSV chunk to be decoded");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    /** The exception of a failure, now that the records and lines before it are known. */
    private Exception failureOf(CsvChunkParser.Failure f) {
        String name = chunk.name();
        long record = recordBase + f.row() + 1;
        return switch (f.kind()) {
            case VALUE -> new IllegalArgumentException(name + ": record " + record + " (line " + (lineBase + f.line())
                    + ")" + f.what());
            case READ -> new IOException(CsvText.readFailure(name, "record " + record + " (near line "
                    + (lineBase + f.line()) + ")", f.cause()), f.cause());
            case UTF8 -> new IOException(name + ": not valid UTF-8 at byte " + (chunk.byteOffset() + f.byteInChunk())
                    + " (line " + (newlineBase + f.newlines() + 1) + ")");
        };
    }

    private IOException failure(CsvChunkParser.Failure f) {
        Exception e = failureOf(f);
        if (e instanceof IllegalArgumentException iae) {
            throw iae;
        }
        return (IOException) e;
    }

    /** Cuts and submits chunks until {@link #maxInFlight} are in flight or the sources end. */
    private void topUp() {
        while (parsed.size() < maxInFlight && !cutFailed) {
            CsvChunk c;
            try {
                c = cut();
            } catch (IOException | RuntimeException e) {
                // Delivered after the chunks cut before it, as the serial reader would meet it.
                cutFailed = true;
                String name = sourceIndex < 0 ? SourceSequence.describe(sources) : files.name();
                chunks.add(new CsvChunk(Math.max(sourceIndex, 0), name, new byte[0], 0, offset, false, 0, 0));
                parsed.add(CompletableFuture.failedFuture(e instanceof IOException io
                        && !String.valueOf(io.getMessage()).startsWith(name) ? new IOException(name + ": "
                        + io.getMessage(), io) : e));
                return;
            }
            if (c == null) {
                return;
            }
            chunks.add(c);
            CsvChunkParser p = parser;
            parsed.add(pool.submit(() -> p.parse(c)));
        }
    }

    /** The next chunk of whole lines, opening the next source when one ends; null after the last. */
    private CsvChunk cut() throws IOException {
        while (true) {
            if (!sourceOpen) {
                if (!files.advance()) {
                    return null;
                }
                openSource();
            }
            more();
            if (start == end && eof) {
                sourceOpen = false;
                continue;
            }
            int cutAt = end;
            if (!eof) {
                cutAt = lastLineFeed(start, end) + 1;
                if (cutAt == 0) {
                    buf = Arrays.copyOf(buf, 2 * buf.length); // a line longer than the buffer
                    continue;
                }
            }
            CsvChunk c = new CsvChunk(sourceIndex, files.name(), Arrays.copyOfRange(buf, start, cutAt), cutAt - start,
                    offset, firstOfSource, linesBefore, newlinesBefore);
            firstOfSource = false;
            offset += cutAt - start;
            start = cutAt;
            return c;
        }
    }

    private void openSource() throws IOException {
        sourceOpen = true;
        sourceIndex++;
        start = 0;
        end = 0;
        eof = false;
        offset = 0;
        firstOfSource = true;
        linesBefore = 0;
        newlinesBefore = 0;
        more();
        if (end - start >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
            start = 3;
            offset = 3;
        }
        if (header || columns == null) {
            prelude();
        }
    }

    /** Moves the unread bytes to the front and reads until the buffer is full or the source ends. */
    private void more() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        InputStream in = files.stream();
        while (end < buf.length && !eof) {
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                eof = true;
            } else {
                end += n;
            }
        }
    }

    private int lastLineFeed(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int lineFeed(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Finds the source's first non-blank line: the header, consumed here, or the first data row,
     * left for the workers; the first one of the pass fixes the columns.
     */
    private void prelude() throws IOException {
        int rel = 0;
        while (true) {
            int lineFeed = lineFeed(start + rel, end);
            if (lineFeed < 0 && !eof) {
                if (start == 0 && end == buf.length) {
                    buf = Arrays.copyOf(buf, 2 * buf.length);
                }
                more();
                continue;
            }
            int lineEnd = lineFeed < 0 ? end : lineFeed;
            int next = lineFeed < 0 ? end : lineFeed + 1;
            if (start + rel == end) {
                return; // no non-blank line in this source
            }
            List<String> fields = fields(start + rel, lineEnd);
            if (fields.size() == 1 && fields.get(0).isEmpty()) {
                rel = next - start;
                continue;
            }
            long line = CsvChunkParser.lineEndings(buf, start, start + rel) + 1;
            if (columns == null) {
                columns = CsvColumns.of(files.name(), line, fields.size(), labelColumn, header ? fields : null);
                parser = new CsvChunkParser(columns, files.name(), classes, delimiter, csv);
            }
            if (header) {
                linesBefore = CsvChunkParser.lineEndings(buf, start, next);
                for (int i = start; i < next; i++) {
                    if (buf[i] == '\n') {
                        newlinesBefore++;
                    }
                }
                offset += next - start;
                start = next;
            }
            return;
        }
    }

    /** The fields of one line, as Commons CSV reads them. */
    private List<String> fields(int from, int to) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not valid UTF-8 in line " + (CsvChunkParser.lineEndings(buf, start, from) + 1)
                    + " (bytes " + (offset + from - start) + " to " + (offset + to - start) + ")", e);
        }
        try (CSVParser p = CSVParser.builder().setReader(new StringReader(text)).setFormat(csv).get()) {
            var it = p.iterator();
            if (!it.hasNext()) {
                return List.of("");
            }
            CSVRecord r = it.next();
            return r.toList();
        } catch (java.io.UncheckedIOException e) {
            throw new IOException(CsvText.readFailure(files.name(), "record 1 (near line "
                    + (CsvChunkParser.lineEndings(buf, start, from) + 1) + ")", e.getCause()), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        files.close();
    }
}
