package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;

/**
 * {@link IdxReader#readImages} needs the heap of the tensor it returns, not more: a 65 MB tensor
 * loads in a JVM whose old generation holds about 107 MB, where decoding a byte array, then a
 * float array, then copying it into the tensor (147 MB) ran out of memory.
 */
class IdxReaderHeapTest {

    /** Reads the IDX file args[0] and prints the sum of its bytes (as read back from the tensor). */
    public static final class Read {
        public static void main(String[] args) throws IOException {
            Tensor t = IdxReader.readImages(Path.of(args[0]), false);
            long sum = 0;
            for (int i = 0; i < t.shape()[0]; i++) {
                sum += (long) t.narrow(0, i, 1).sum().item();
            }
            System.out.println(sum);
        }
    }

    @Test
    void aLargeFileLoadsInAHeapOfLittleMoreThanItsTensor(@TempDir Path dir) throws Exception {
        int n = 4000;
        byte[] data = IdxFiles.pattern(n * 64 * 64);
        Path file = IdxFiles.write(dir.resolve("large.idx"), IdxFiles.idx(new int[] {n, 64, 64}, data), false);
        long expected = 0;
        for (byte b : data) {
            expected += b & 0xFF;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx160m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Read.class.getName(), file.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        assertEquals(expected, Long.parseLong(out.substring(out.lastIndexOf('\n') + 1).trim()), out);
    }
}
