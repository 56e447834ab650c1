package org.trainer.core.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The text rules {@link CsvReader} and {@link CsvRecords} share: how bytes become characters and
 * how a cell becomes a number, so that the in-memory and the streaming reader accept exactly the
 * same files.
 */
final class CsvText {
    /** A number as CSV writers write it: optional sign, digits, optional fraction, optional exponent. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    /** The spellings of NaN and infinity that writers produce (Java, pandas, spreadsheets). */
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private CsvText() {
    }

    /**
     * A strict UTF-8 reader over {@code in}: a byte-order mark at the start (spreadsheets' "CSV
     * UTF-8" export writes one) is skipped, and a byte sequence that is not UTF-8 makes reading fail
     * with a {@link CharacterCodingException} that names its byte offset and line, instead of being
     * replaced by U+FFFD. The exception comes only once every character before it was delivered.
     */
    static Reader utf8(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in);
        buffered.mark(3);
        byte[] head = buffered.readNBytes(3);
        boolean bom = head.length == 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB
                && (head[2] & 0xFF) == 0xBF;
        if (!bom) {
            buffered.reset();
        }
        return new StrictUtf8(buffered, bom ? 3 : 0);
    }

    /**
     * The message of a failure to read {@code source}: a decoding error names its own byte and line;
     * any other read failure is placed with {@code near}, e.g. "record 2 (near line 5)".
     */
    static String readFailure(String source, String near, IOException e) {
        return source + ": " + (e instanceof CharacterCodingException ? "" : near + ": ") + e.getMessage();
    }

    /**
     * An InputStreamReader that keeps count of bytes and lines, so that a malformed sequence is
     * reported where it is rather than where a read-ahead buffer happened to stop.
     */
    private static final class StrictUtf8 extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 13).flip();
        private long offset;
        private long line = 1;
        private boolean eof;
        private boolean flushed;

        StrictUtf8(InputStream in, long offset) {
            this.in = in;
            this.offset = offset;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            CharBuffer out = CharBuffer.wrap(buf, off, len);
            while (out.position() == off) {
                int before = bytes.position();
                CoderResult r = decoder.decode(bytes, out, eof);
                offset += bytes.position() - before;
                if (r.isError()) {
                    if (out.position() > off) {
                        break; // deliver what precedes the bad bytes; the error comes on the next read
                    }
                    long at = offset;
                    long where = line;
                    throw new CharacterCodingException() {
                        private static final long serialVersionUID = 1L;

                        @Override
                        public String getMessage() {
                            return "not valid UTF-8 at byte " + at + " (line " + where + ")";
                        }
                    };
                }
                if (r.isOverflow()) {
                    break;
                }
                if (eof) {
                    if (!flushed) {
                        flushed = true;
                        decoder.flush(out);
                    }
                    if (out.position() == off) {
                        return -1;
                    }
                    break;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
            int end = out.position();
            for (int i = off; i < end; i++) {
                if (buf[i] == '\n') {
                    line++;
                }
            }
            return end - off;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Parses a cell as a float32-range decimal. Refused, through {@code error} (which adds the
     * place): Java-only syntax that {@link Double#parseDouble} would take ({@code 2.5f}, {@code 3d},
     * {@code 0x1p3}), NaN and infinities in any spelling, and values beyond float32's range.
     */
    static double parse(String cell, Function<String, IllegalArgumentException> error) {
        if (!DECIMAL.matcher(cell).matches()) {
            if (NON_FINITE.matcher(cell).matches()) {
                throw error.apply("\"" + cell + "\" is not finite; NaN and infinity are refused");
            }
            throw error.apply("not a number: \"" + cell + "\"" + (javaNumber(cell)
                    ? " (Java syntax is refused: expected an optional sign, digits, an optional fraction and exponent)"
                    : ""));
        }
        double v = Double.parseDouble(cell);
        if (Float.isInfinite((float) v)) {
            throw error.apply(cell + " overflows float32 (max " + Float.MAX_VALUE + ")");
        }
        return v;
    }

    private static boolean javaNumber(String cell) {
        try {
            Double.parseDouble(cell);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
