package org.trainer.distributed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response between a rank that dials and the rank that accepts, before either
 * trusts the connection. Each side sends a fresh 32-byte nonce and proves it holds the job secret
 * with HMAC-SHA256(secret, role, job id, world size, purpose, dialling rank, accepting rank, both
 * nonces); the role byte differs between the two proofs, so one side's proof cannot be replayed as
 * the other's, and fresh nonces make a recorded exchange useless. The secret itself never crosses
 * the wire.
 *
 * <pre>
 *   dialler  -> HELLO_MAGIC, body length, body(version, purpose, from, to, world, job id, nonceA)
 *   acceptor -> HELLO_MAGIC, nonceB, mac("B")
 *   dialler  -> mac("A")
 *   acceptor -> ACCEPTED
 * </pre>
 */
final class Handshake {
    static final int HELLO_MAGIC = 0x544E5248;
    static final int ACCEPTED = 0x4F4B4F4B;
    static final int VERSION = 1;
    /** The largest hello body accepted: fixed fields, a job id of at most MAX_JOB_ID bytes and the nonce. */
    static final int MAX_HELLO = 1024;
    static final int MAX_JOB_ID = 256;
    static final int NONCE = 32;
    static final int RING = 1;
    static final int POINT_TO_POINT = 2;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** What a verified dialler said about itself. */
    record Hello(int purpose, int from) {
    }

    /** A refused handshake; the message says why, for the log or the exception. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * The dialling side: proves to rank {@code to} that this is rank {@code from} of the job, and
     * checks that the peer is rank {@code to} of the job.
     *
     * @throws Refused if the peer does not prove it knows the secret or does not accept this rank
     */
    static void dial(Socket socket, int purpose, int from, int to, int world, byte[] jobId, byte[] secret)
            throws IOException, Refused {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        byte[] nonceA = nonce();
        ByteBuffer body = ByteBuffer.allocate(6 * 4 + jobId.length + NONCE);
        body.putInt(VERSION).putInt(purpose).putInt(from).putInt(to).putInt(world).putInt(jobId.length).put(jobId)
                .put(nonceA);
        out.writeInt(HELLO_MAGIC);
        out.writeInt(body.capacity());
        out.write(body.array());
        out.flush();
        byte[] nonceB = new byte[NONCE];
        byte[] macB = new byte[32];
        try {
            int magic = in.readInt();
            if (magic != HELLO_MAGIC) {
                throw new Refused(String.format("rank %d answered with magic 0x%08x, expected 0x%08x", to, magic,
                        HELLO_MAGIC));
            }
            in.readFully(nonceB);
            in.readFully(macB);
        } catch (EOFException e) {
            throw new Refused("rank " + to + " closed the connection during the handshake (it refused this rank's"
                    + " hello: different job id, world size or rank)");
        }
        byte[] expected = mac(secret, 'B', purpose, from, to, world, jobId, nonceA, nonceB);
        if (!MessageDigest.isEqual(expected, macB)) {
            throw new Refused("rank " + to + " did not prove that it knows the job secret");
        }
        out.write(mac(secret, 'A', purpose, from, to, world, jobId, nonceA, nonceB));
        out.flush();
        try {
            int accepted = in.readInt();
            if (accepted != ACCEPTED) {
                throw new Refused(String.format("rank %d answered 0x%08x, expected 0x%08x", to, accepted, ACCEPTED));
            }
        } catch (EOFException e) {
            throw new Refused("rank " + to + " refused this rank's proof of the job secret (the secrets differ)");
        }
    }

    /**
     * The accepting side, rank {@code me}: reads the hello (refusing a bad magic, an oversized body, another
     * job, world size or target rank, or a ring connection from any rank but {@code ringFrom}), then
     * checks the dialler's proof.
     *
     * @return the verified dialler's purpose and rank
     * @throws Refused with the reason, if the dialler is not a rank of this job
     * @throws SocketTimeoutException if the dialler falls silent past the socket's timeout
     */
    static Hello accept(Socket socket, int me, int ringFrom, int world, byte[] jobId, byte[] secret)
            throws IOException, Refused {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        int magic = in.readInt();
        if (magic != HELLO_MAGIC) {
            throw new Refused(String.format("bad magic 0x%08x, expected 0x%08x", magic, HELLO_MAGIC));
        }
        int length = in.readInt();
        if (length < 6 * 4 + NONCE || length > MAX_HELLO) {
            throw new Refused("hello of " + length + " bytes, expected " + (6 * 4 + NONCE) + " to " + MAX_HELLO);
        }
        byte[] raw = new byte[length];
        in.readFully(raw);
        ByteBuffer body = ByteBuffer.wrap(raw);
        int version = body.getInt();
        int purpose = body.getInt();
        int from = body.getInt();
        int to = body.getInt();
        int peerWorld = body.getInt();
        int jobIdLength = body.getInt();
        if (version != VERSION) {
            throw new Refused("protocol version " + version + ", expected " + VERSION);
        }
        if (jobIdLength != length - 6 * 4 - NONCE) {
            throw new Refused("hello of " + length + " bytes with a job id of " + jobIdLength + " bytes, expected "
                    + (length - 6 * 4 - NONCE));
        }
        byte[] peerJob = new byte[jobIdLength];
        body.get(peerJob);
        byte[] nonceA = new byte[NONCE];
        body.get(nonceA);
        if (!Arrays.equals(peerJob, jobId)) {
            throw new Refused("job id \"" + new String(peerJob, StandardCharsets.UTF_8) + "\", expected \""
                    + new String(jobId, StandardCharsets.UTF_8) + "\"");
        }
        if (peerWorld != world) {
            throw new Refused("world size " + peerWorld + ", expected " + world);
        }
        if (to != me) {
            throw new Refused("addressed to rank " + to + ", this is rank " + me);
        }
        if (purpose == RING ? from != ringFrom : purpose != POINT_TO_POINT || from < 0 || from >= world || from == me) {
            throw new Refused(purpose == RING ? "ring connection from rank " + from + ", expected rank " + ringFrom
                    : "purpose " + purpose + " from rank " + from + ", expected a ring (" + RING + ") or point-to-point ("
                            + POINT_TO_POINT + ") connection from another rank in [0, " + world + ")");
        }
        byte[] nonceB = nonce();
        out.writeInt(HELLO_MAGIC);
        out.write(nonceB);
        out.write(mac(secret, 'B', purpose, from, to, world, jobId, nonceA, nonceB));
        out.flush();
        byte[] macA = new byte[32];
        in.readFully(macA);
        if (!MessageDigest.isEqual(mac(secret, 'A', purpose, from, to, world, jobId, nonceA, nonceB), macA)) {
            throw new Refused("claims to be rank " + from + " but does not prove that it knows the job secret");
        }
        out.writeInt(ACCEPTED);
        out.flush();
        return new Hello(purpose, from);
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    static byte[] mac(byte[] secret, char role, int purpose, int from, int to, int world, byte[] jobId,
            byte[] nonceA, byte[] nonceB) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            ByteBuffer fields = ByteBuffer.allocate(1 + 5 * 4).put((byte) role).putInt(purpose).putInt(from).putInt(to)
                    .putInt(world).putInt(jobId.length);
            mac.update(fields.array());
            mac.update(jobId);
            mac.update(nonceA);
            mac.update(nonceB);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
