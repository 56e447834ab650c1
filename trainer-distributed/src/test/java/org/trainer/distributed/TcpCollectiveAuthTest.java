package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes without the job secret are refused, and the real group still connects and computes. */
class TcpCollectiveAuthTest {
    private static final String RUN = "auth-test";

    @TempDir
    Path dir;

    @Test
    void strangersAreRefusedWhileTheRealGroupConnectsAndSums() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Collective> ranks = new ArrayList<>();
        List<Socket> strangers = new ArrayList<>();
        try {
            // Rank 1 listens and waits for rank 0; strangers reach its port first.
            Future<Collective> rank1 = pool.submit(() -> TcpCollective.connect(1, 2, new FileRendezvous(dir, RUN),
                    TcpGroup.options()));
            String address = awaitAddress(1);
            String host = address.substring(0, address.lastIndexOf(':'));
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));

            Socket silent = new Socket(host, port);
            strangers.add(silent);
            Socket garbage = new Socket(host, port);
            strangers.add(garbage);
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Socket oversized = new Socket(host, port);
            strangers.add(oversized);
            DataOutputStream o = new DataOutputStream(oversized.getOutputStream());
            o.writeInt(Handshake.HELLO_MAGIC);
            o.writeInt(Integer.MAX_VALUE);
            o.flush();
            Socket impostor = new Socket(host, port);
            strangers.add(impostor);
            assertEquals("the handshake ended before ACCEPTED", impostorClaimingRank0(impostor));
            Socket wrongSecret = new Socket(host, port);
            strangers.add(wrongSecret);
            Handshake.Refused refused = assertThrows(Handshake.Refused.class, () -> Handshake.dial(wrongSecret,
                    Handshake.RING, 0, 1, 2, "test".getBytes(StandardCharsets.UTF_8), new byte[32]));
            assertTrue(refused.getMessage().contains("rank 1 did not prove that it knows the job secret"),
                    refused.getMessage());

            // Knowing the secret is not enough: rank 1's ring peer is rank 0, not another rank 1.
            Socket wrongRank = new Socket(host, port);
            strangers.add(wrongRank);
            wrongRank.setSoTimeout(10_000);
            Handshake.Refused asRank1 = assertThrows(Handshake.Refused.class, () -> Handshake.dial(wrongRank,
                    Handshake.RING, 1, 1, 2, "test".getBytes(StandardCharsets.UTF_8), TcpGroup.SECRET));
            assertTrue(asRank1.getMessage().contains("rank 1 closed the connection during the handshake"),
                    asRank1.getMessage());

            for (Socket s : List.of(garbage, oversized, silent)) {
                assertClosedByPeer(s);
            }

            Future<Collective> rank0 = pool.submit(() -> TcpCollective.connect(0, 2, new FileRendezvous(dir, RUN),
                    TcpGroup.options()));
            ranks.add(rank0.get());
            ranks.add(rank1.get());
            assertSums(ranks);

            // The listening socket refuses strangers for the group's lifetime.
            Socket late = new Socket(host, port);
            strangers.add(late);
            late.getOutputStream().write(new byte[64]);
            assertClosedByPeer(late);
            assertSums(ranks);
        } finally {
            for (Socket s : strangers) {
                s.close();
            }
            TcpGroup.closeAll(ranks);
            pool.shutdownNow();
        }
    }

    @Test
    void ranksOfAnotherJobOrWithAnotherSecretCannotJoin() throws Exception {
        TcpCollective.Options other = TcpGroup.options().withSecret(TcpCollective.Options.newSecret())
                .withTimeout(java.time.Duration.ofSeconds(3));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Collective> rank0 = pool.submit(() -> TcpCollective.connect(0, 2, new FileRendezvous(dir, RUN),
                    TcpGroup.options().withTimeout(java.time.Duration.ofSeconds(3))));
            Future<Collective> rank1 = pool.submit(() -> TcpCollective.connect(1, 2, new FileRendezvous(dir, RUN),
                    other));
            Exception e0 = assertThrows(Exception.class, rank0::get);
            Exception e1 = assertThrows(Exception.class, rank1::get);
            assertTrue(e0.getCause().getMessage().contains("the handshake with rank 1"), e0.getCause().getMessage());
            assertTrue(e1.getCause().getMessage().contains("rank 0 did not connect within PT3S"),
                    e1.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertSums(List<Collective> ranks) throws Exception {
        List<float[]> got = Ranks.run(ranks, c -> {
            float[] a = {c.rank() + 1, 10 * (c.rank() + 1)};
            c.allReduce(a, 0, 2, ReduceOp.SUM);
            return a;
        });
        for (float[] a : got) {
            assertArrayEquals(new float[] {3, 30}, a);
        }
    }

    /** Runs the dialler's side of the handshake as rank 0 but answers the challenge with a made-up proof. */
    private static String impostorClaimingRank0(Socket s) throws IOException {
        s.setSoTimeout(5000);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] job = "test".getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(24 + job.length + Handshake.NONCE);
        body.putInt(Handshake.VERSION).putInt(Handshake.RING).putInt(0).putInt(1).putInt(2).putInt(job.length).put(job)
                .put(new byte[Handshake.NONCE]);
        out.writeInt(Handshake.HELLO_MAGIC);
        out.writeInt(body.capacity());
        out.write(body.array());
        assertEquals(Handshake.HELLO_MAGIC, in.readInt());
        in.readFully(new byte[64]);
        out.write(new byte[32]);
        try {
            return in.read() < 0 ? "the handshake ended before ACCEPTED" : "the rank answered the made-up proof";
        } catch (SocketException e) {
            return "the handshake ended before ACCEPTED";
        }
    }

    /** The rank closes a refused connection: reading ends (or is reset) well within the test's patience. */
    private static void assertClosedByPeer(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
            int b;
            do {
                b = in.read();
            } while (b >= 0);
        } catch (SocketException e) {
            // A reset also means the rank dropped the connection.
        }
    }

    private String awaitAddress(int rank) throws Exception {
        Path file = dir.resolve("rank-" + rank);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() < deadline, "rank " + rank + " did not publish its address");
            Thread.sleep(10);
        }
        return Files.readAllLines(file).get(2);
    }
}
