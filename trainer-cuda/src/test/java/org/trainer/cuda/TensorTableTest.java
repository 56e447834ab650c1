package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The table of tensors of the multi-tensor optimizer kernels, on the host: its words land where the
 * kernels' struct has its fields, and it is exactly the size of the parameter the compiled kernels
 * declare, within the 4 KB that a launch's parameters may take. Needs no GPU.
 */
class TensorTableTest {
    private static final int C = TensorTable.CAPACITY;

    @Test
    void wordsFollowTheStructLayout() {
        TensorTable t = new TensorTable(5);
        t.add(1, 11, 12, 13, 14, 15);
        t.add(0, 21, 22, 23, 24, 25);
        t.add(TensorTable.CHUNK, 31, 32, 33, 34, 35);
        t.add(TensorTable.CHUNK + 1, 41, 42, 43, 44, 45);
        long[] s = t.struct();
        assertEquals(TensorTable.words(5), s.length);
        assertEquals(7 * C + 1, s.length);
        // The empty tensor takes no entry: three tensors, 1 + 1 + 2 blocks.
        assertEquals(4, t.blocks());
        for (int l = 0; l < 5; l++) {
            assertEquals(11 + l, s[l * C]);
            assertEquals(31 + l, s[l * C + 1]);
            assertEquals(41 + l, s[l * C + 2]);
        }
        assertEquals(1, s[5 * C]);
        assertEquals(TensorTable.CHUNK, s[5 * C + 1]);
        assertEquals(TensorTable.CHUNK + 1, s[5 * C + 2]);
        int start = 6 * C;
        assertEquals(0, s[start]);
        assertEquals(1, s[start + 1]);
        assertEquals(2, s[start + 2]);
        for (int i = 3; i <= C; i++) {
            assertEquals(4, s[start + i], "blockStart[" + i + "] past the last tensor holds the total");
        }
    }

    @Test
    void aTableOfThreeListsLeavesTheOthersOut() {
        TensorTable t = new TensorTable(3);
        t.add(5, 1, 2, 3, 4, 5);
        long[] s = t.struct();
        assertEquals(5 * C + 1, s.length);
        assertEquals(1, s[0]);
        assertEquals(2, s[C]);
        assertEquals(3, s[2 * C]);
        assertEquals(5, s[3 * C]);
        assertEquals(0, s[4 * C]);
        assertEquals(1, s[4 * C + 1]);
    }

    @Test
    void aFullTableTakesNoMoreAndAClearedOneStartsOver() {
        TensorTable t = new TensorTable(3);
        for (int i = 0; i < C; i++) {
            t.add(3 * TensorTable.CHUNK, i, i, i, 0, 0);
        }
        assertTrue(t.isFull());
        assertEquals(3 * C, t.blocks());
        assertThrows(IllegalStateException.class, () -> t.add(1, 0, 0, 0, 0, 0));
        t.clear();
        t.add(7, 9, 9, 9, 0, 0);
        long[] s = t.struct();
        assertEquals(1, t.blocks());
        assertEquals(9, s[0]);
        assertEquals(7, s[3 * C]);
        assertEquals(0, s[4 * C]);
        assertEquals(1, s[4 * C + 1]);
        assertEquals(1, s[4 * C + C]);
    }

    @Test
    void theLargestTensorsStillGiveAnIntGrid() {
        TensorTable t = new TensorTable(5);
        for (int i = 0; i < C; i++) {
            t.add(Integer.MAX_VALUE, 0, 0, 0, 0, 0);
        }
        long perTensor = (Integer.MAX_VALUE + (long) TensorTable.CHUNK - 1) / TensorTable.CHUNK;
        assertEquals(perTensor * C, t.blocks());
    }

    /**
     * optim.cu's mt_chunk, over the words of the struct: the tensor of block b by binary search of
     * blockStart, and the block's range [begin, end) of its elements.
     */
    private static long[] chunk(long[] s, int lists, long b) {
        int start = (lists + 1) * C;
        int i = 0;
        for (int step = C / 2; step > 0; step /= 2) {
            if (s[start + i + step] <= b) {
                i += step;
            }
        }
        long begin = (b - s[start + i]) * TensorTable.CHUNK;
        long end = Math.min(begin + TensorTable.CHUNK, s[lists * C + i]);
        return new long[] {i, begin, end};
    }

    /** Every element of every tensor is taken by exactly one block, as the kernels search the table. */
    @Test
    void theBlocksCoverEveryElementOnce() {
        int[][] cases = {{1}, {0, 5, 0}, {2048, 2049, 1, 4095, 4096, 4097}, new int[C], new int[C - 1]};
        Arrays.fill(cases[3], 3);
        for (int k = 0; k < cases[4].length; k++) {
            cases[4][k] = 1 + 997 * k;
        }
        for (int[] sizes : cases) {
            TensorTable t = new TensorTable(3);
            int[] slot = new int[sizes.length];
            int used = 0;
            for (int k = 0; k < sizes.length; k++) {
                slot[k] = sizes[k] == 0 ? -1 : used++;
                t.add(sizes[k], k, 0, 0, 0, 0);
            }
            long[] s = t.struct();
            long[] covered = new long[sizes.length];
            long previousEnd = 0;
            int previousTensor = -1;
            for (long b = 0; b < t.blocks(); b++) {
                long[] c = chunk(s, 3, b);
                int tensor = (int) s[(int) c[0]];
                assertTrue(c[1] < c[2], "block " + b + " has elements");
                if (tensor == previousTensor) {
                    assertEquals(previousEnd, c[1], "block " + b + " continues where the last one ended");
                } else {
                    assertEquals(0, c[1], "block " + b + " starts tensor " + tensor);
                }
                assertEquals(slot[tensor], c[0]);
                covered[tensor] += c[2] - c[1];
                previousEnd = c[2];
                previousTensor = tensor;
            }
            for (int k = 0; k < sizes.length; k++) {
                assertEquals(sizes[k], covered[k], "elements of tensor " + k + " taken");
            }
        }
    }

    /** The kernels' parameters as the compiler declared them: name -> sizes in order. */
    private static final Pattern ENTRY = Pattern.compile("\\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile(
            "\\.param (?:\\.align (\\d+) )?\\.(\\w)(\\d+) \\w+?_param_\\d+(?:\\[(\\d+)])?");

    @Test
    void theTableIsTheParameterTheKernelsDeclareAndAllFitsIn4K() {
        String ptx = PtxModules.resource("optim");
        Matcher e = ENTRY.matcher(ptx);
        int checked = 0;
        while (e.find()) {
            String name = e.group(1);
            if (!name.contains("_multi_")) {
                continue;
            }
            int lists = name.startsWith("adam") ? 5 : 3;
            Matcher p = PARAM.matcher(e.group(2));
            long offset = 0;
            boolean first = true;
            while (p.find()) {
                int bytes = Integer.parseInt(p.group(3)) / 8;
                int align = p.group(1) != null ? Integer.parseInt(p.group(1)) : bytes;
                long size = p.group(4) != null ? Long.parseLong(p.group(4)) * bytes : bytes;
                if (first) {
                    assertEquals(8, align, name + ": the table is 8-aligned");
                    assertEquals(8L * TensorTable.words(lists), size, name + ": the table's size");
                    first = false;
                }
                offset = (offset + align - 1) / align * align + size;
            }
            assertTrue(offset <= 4096, name + ": parameters take " + offset + " bytes, more than 4096");
            checked++;
        }
        assertEquals(4, checked, "sgd_multi_f32/f64 and adam_multi_f32/f64 in optim.ptx");
    }

    @Test
    void theSourceUsesTheSameCapacityAndChunk() throws IOException {
        Path cu = Path.of("src/main/cuda/optim.cu");
        assertTrue(Files.exists(cu), "run from the module directory: " + cu.toAbsolutePath());
        String src = Files.readString(cu);
        assertTrue(src.contains("#define MT_MAX " + TensorTable.CAPACITY + "\n"), "MT_MAX in optim.cu");
        assertTrue(src.contains("#define MT_CHUNK " + TensorTable.CHUNK + "\n"), "MT_CHUNK in optim.cu");
    }
}
