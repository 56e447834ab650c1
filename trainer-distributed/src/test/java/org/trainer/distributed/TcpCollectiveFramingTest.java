package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank 0 is a real {@link TcpCollective}; rank 1 is a raw socket that knows the secret and sends
 * hand-made frames. Whatever it sends, rank 0 fails with a message naming rank 1 and the values,
 * never a hang, an OutOfMemoryError or a wrong sum.
 */
class TcpCollectiveFramingTest {
    private static final int FLOAT32_ALL_REDUCE = TcpCollective.kind(TcpCollective.ALL_REDUCE, TcpCollective.FLOAT32);

    @TempDir
    Path dir;

    private ExecutorService pool;

    @BeforeEach
    void start() {
        pool = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void anOversizedFrameCountIsRefusedBeforeItsPayloadIsRead() throws Exception {
        String m = allReduceAgainst(frame(0x544E5246, FLOAT32_ALL_REDUCE, 0, 4, Integer.MAX_VALUE, new byte[0]));
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 sent a frame of 2147483647 elements, rank 0"
                + " expected 2", m);
    }

    @Test
    void anotherTotalIsRefusedNamingBothLengths() throws Exception {
        String m = allReduceAgainst(frame(0x544E5246, FLOAT32_ALL_REDUCE, 0, 100, 50, new byte[0]));
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 sent 100 elements, rank 0 expected 4", m);
    }

    @Test
    void aBadMagicAnotherOperationOrDtypeIsRefused() throws Exception {
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 sent a frame with magic 0x12345678, expected"
                + " 0x544e5246", allReduceAgainst(frame(0x12345678, FLOAT32_ALL_REDUCE, 0, 4, 2, new byte[0])));
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 sent allReduce(float64), rank 0 expected"
                + " allReduce(float32)", allReduceAgainst(frame(0x544E5246, TcpCollective.kind(TcpCollective.ALL_REDUCE,
                        TcpCollective.FLOAT64), 0, 4, 2, new byte[16])));
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 sent barrier, rank 0 expected allReduce(float32)",
                allReduceAgainst(frame(0x544E5246, TcpCollective.kind(TcpCollective.BARRIER, TcpCollective.BYTES), 1,
                        0, 0, new byte[0])));
    }

    @Test
    void aPayloadThatDoesNotMatchItsCrcIsRefused() throws Exception {
        byte[] f = frame(0x544E5246, FLOAT32_ALL_REDUCE, 0, 4, 2, new byte[8]);
        f[f.length - 1] ^= 0x40;
        String m = allReduceAgainst(f);
        assertTrue(m.matches("allReduce\\(float32, SUM\\) on rank 0: rank 1 sent a frame of 8 bytes whose CRC32C is"
                + " 0x[0-9a-f]{8}, but its bytes give 0x[0-9a-f]{8}: the data was damaged in transit"), m);
    }

    @Test
    void aPeerThatDiesMidFrameIsNamedAsLost() throws Exception {
        byte[] f = frame(0x544E5246, FLOAT32_ALL_REDUCE, 0, 4, 2, new byte[8]);
        String m = allReduceAgainst(java.util.Arrays.copyOf(f, f.length - 3));
        assertEquals("allReduce(float32, SUM) on rank 0: rank 1 lost: it closed the connection", m);
    }

    /**
     * Connects rank 0 to a fake rank 1 that takes part in connecting, then sends {@code bytes} and closes; returns the message of
     * the exception rank 0's allReduce of 4 floats fails with.
     */
    private String allReduceAgainst(byte[] bytes) throws Exception {
        String run = "run-" + System.nanoTime();
        byte[] job = "test".getBytes(StandardCharsets.UTF_8);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<Collective> rank0 = pool.submit(() -> TcpCollective.connect(0, 2, new FileRendezvous(dir, run),
                    TcpGroup.options()));
            new FileRendezvous(dir, run).exchange(1, 2, "127.0.0.1:" + server.getLocalPort(),
                    java.time.Duration.ofSeconds(10));
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(10_000);
                assertEquals(new Handshake.Hello(Handshake.RING, 0), Handshake.accept(peer, 1, 0, 2, job,
                        TcpGroup.SECRET));
                // As a rank that does not offer shared memory, rank 1's part of the all-gather that ends connect:
                // no bytes. Rank 0's part waits in the socket unread.
                OutputStream out = peer.getOutputStream();
                out.write(frame(Connection.MAGIC, TcpCollective.kind(TcpCollective.ALL_GATHER, TcpCollective.BYTES), 1, 0,
                        0, new byte[0]));
                out.flush();
                try (Collective c = rank0.get()) {
                    out.write(bytes);
                    out.flush();
                    peer.shutdownOutput();
                    float[] a = {1, 2, 3, 4};
                    String m = assertThrows(CollectiveException.class, () -> c.allReduce(a, 0, 4, ReduceOp.SUM))
                            .getMessage();
                    assertTrue(assertThrows(CollectiveException.class, c::barrier).getMessage()
                            .contains("the group failed earlier: " + m.substring(m.indexOf(": ") + 2)));
                    assertEquals(List.of(1f, 2f, 3f, 4f).toString(), List.of(a[0], a[1], a[2], a[3]).toString(),
                            "a refused frame changes nothing");
                    return m;
                }
            }
        }
    }

    /** A frame as a peer would send it, with a correct CRC32C of the header's first 20 bytes and the payload. */
    private static byte[] frame(int magic, int kind, int param, int total, int count, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(magic).putInt(kind).putInt(param).putInt(total).putInt(count).putInt(0).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 20);
        crc.update(payload);
        b.putInt(20, (int) crc.getValue());
        return b.array();
    }
}
