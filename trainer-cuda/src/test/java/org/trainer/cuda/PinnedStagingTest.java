package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The ring of pinned upload buffers, against a fake driver that logs its calls and keeps the
 * "device" as a map from address to bytes: copies see what was filled, a buffer is refilled only
 * after waiting for the copy out of it, buffers grow in powers of two, and what cannot be staged
 * is left to the pageable path.
 */
class PinnedStagingTest {

    /** A pinned block: an id and host bytes. */
    record Block(int id, ByteBuffer bytes) {
    }

    static final class FakeDriver implements PinnedStaging.Driver<Block, Integer, int[]> {
        final List<String> log = new ArrayList<>();
        final Map<Integer, byte[]> device = new HashMap<>();
        long pinnedLimit = Long.MAX_VALUE;
        long pinned;
        int blocks;
        int events;

        @Override
        public Block allocate(long bytes) {
            if (pinned + bytes > pinnedLimit) {
                log.add("refuse " + bytes);
                return null;
            }
            pinned += bytes;
            log.add("alloc " + bytes);
            return new Block(blocks++, ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
        }

        @Override
        public ByteBuffer view(Block block, long bytes) {
            return block.bytes().duplicate().order(ByteOrder.nativeOrder()).limit((int) bytes);
        }

        @Override
        public void free(Block block) {
            pinned -= block.bytes().capacity();
            log.add("free b" + block.id());
        }

        @Override
        public void copy(Block block, long bytes, Integer dst) {
            byte[] b = new byte[(int) bytes];
            block.bytes().duplicate().get(b);
            device.put(dst, b);
            log.add("copy b" + block.id() + " -> " + dst);
        }

        @Override
        public int[] newEvent() {
            return new int[] {events++};
        }

        @Override
        public void record(int[] event) {
            log.add("record e" + event[0]);
        }

        @Override
        public void await(int[] event) {
            log.add("await e" + event[0]);
        }
    }

    private static boolean upload(PinnedStaging<Block, Integer, int[]> s, float[] data, int dst) {
        return s.upload(4L * data.length, b -> b.asFloatBuffer().put(data), dst);
    }

    private static float[] onDevice(FakeDriver d, int dst) {
        float[] r = new float[d.device.get(dst).length / 4];
        ByteBuffer.wrap(d.device.get(dst)).order(ByteOrder.nativeOrder()).asFloatBuffer().get(r);
        return r;
    }

    @Test
    void copiesCarryWhatWasFilledAndABufferWaitsForItsCopyBeforeRefilling() {
        FakeDriver d = new FakeDriver();
        PinnedStaging<Block, Integer, int[]> s = new PinnedStaging<>(d);
        int n = PinnedStaging.SLOTS + 2;
        for (int k = 0; k < n; k++) {
            assertTrue(upload(s, new float[] {k, k + 0.5f, -k}, k));
        }
        for (int k = 0; k < n; k++) {
            assertArrayEquals(new float[] {k, k + 0.5f, -k}, onDevice(d, k), "upload " + k);
        }
        assertEquals(n, s.staged());
        assertEquals(2, s.waits(), "the last two uploads found their buffers in flight");
        // Round one: each buffer is pinned once, filled, copied and fenced; no waiting yet.
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < PinnedStaging.SLOTS; k++) {
            expected.add("alloc " + PinnedStaging.MIN_BUFFER_BYTES);
            expected.add("copy b" + k + " -> " + k);
            expected.add("record e" + k);
        }
        // Round two: the first buffers are reused only after their first copies finished.
        for (int k = 0; k < 2; k++) {
            expected.add("await e" + k);
            expected.add("copy b" + k + " -> " + (PinnedStaging.SLOTS + k));
            expected.add("record e" + k);
        }
        assertEquals(expected, d.log);
        assertEquals(PinnedStaging.SLOTS * PinnedStaging.MIN_BUFFER_BYTES, s.pinnedBytes());
    }

    @Test
    void aBufferGrowsToThePowerOfTwoAboveAnUploadAndFreesTheOldOneAfterItsCopy() {
        FakeDriver d = new FakeDriver();
        PinnedStaging<Block, Integer, int[]> s = new PinnedStaging<>(d);
        for (int k = 0; k < PinnedStaging.SLOTS; k++) {
            assertTrue(upload(s, new float[] {1}, k));
        }
        float[] big = new float[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.25f;
        }
        d.log.clear();
        assertTrue(upload(s, big, 99));
        assertEquals(List.of("await e0", "alloc 524288", "free b0", "copy b" + PinnedStaging.SLOTS + " -> 99",
                "record e0"), d.log);
        assertArrayEquals(big, onDevice(d, 99));
    }

    @Test
    void releaseWaitsForTheCopiesInFlightAndFreesEveryBuffer() {
        FakeDriver d = new FakeDriver();
        PinnedStaging<Block, Integer, int[]> s = new PinnedStaging<>(d);
        assertTrue(upload(s, new float[] {1}, 0));
        assertTrue(upload(s, new float[] {2}, 1));
        d.log.clear();
        s.release();
        assertEquals(List.of("await e0", "free b0", "await e1", "free b1"), d.log);
        assertEquals(0, s.pinnedBytes());
        assertEquals(0, d.pinned);
        d.log.clear();
        assertTrue(upload(s, new float[] {3}, 2), "the ring regrows on use");
        assertEquals(List.of("alloc " + PinnedStaging.MIN_BUFFER_BYTES, "copy b2 -> 2", "record e2"), d.log);
        assertArrayEquals(new float[] {3}, onDevice(d, 2));
    }

    @Test
    void whatCannotBeStagedIsLeftToThePageablePath() {
        FakeDriver d = new FakeDriver();
        PinnedStaging<Block, Integer, int[]> s = new PinnedStaging<>(d);
        assertFalse(s.upload(PinnedStaging.MAX_STAGED_BYTES + 4, b -> {
            throw new AssertionError("nothing is filled for an upload that is not staged");
        }, 0));
        assertTrue(d.log.isEmpty(), "no driver call: " + d.log);

        d.pinnedLimit = PinnedStaging.MIN_BUFFER_BYTES;
        assertTrue(upload(s, new float[] {3}, 1), "the first buffer can be pinned");
        assertFalse(upload(s, new float[] {4}, 2), "the second cannot");
        assertFalse(d.device.containsKey(2));
        assertEquals(1, s.staged());
        assertTrue(s.upload(0, b -> {
            throw new AssertionError("nothing to fill");
        }, 3), "an empty upload needs no buffer");
    }
}
