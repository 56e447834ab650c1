package org.trainer.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;

/**
 * One authenticated TCP connection to a peer rank, usable in both directions. The rank's calling
 * thread reads frames itself (it knows what it expects next); a sender thread writes the frames
 * the caller queued, so that a rank writing a large message never waits for its peer to read
 * before it can read what the peer writes to it: two ranks sending to each other at once cannot
 * deadlock on full socket buffers.
 */
final class Connection {
    /** magic, kind, param, total, count, crc: six little-endian ints. */
    static final int HEADER = 24;
    static final int MAGIC = 0x544E5246;

    private static final Frame STOP = new Frame(0, false);

    final int peer;
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Frame> pool;
    private final Thread sender;
    private volatile boolean stopping;

    /**
     * @param onSendFailure told (peer, exception) when a write fails, unless the connection is being closed
     */
    Connection(int rank, int peer, Socket socket, ConcurrentLinkedQueue<Frame> pool,
            BiConsumer<Integer, IOException> onSendFailure) throws IOException {
        this.peer = peer;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.pool = pool;
        this.sender = new Thread(() -> sendLoop(onSendFailure), "trainer-tcp-rank" + rank + "-to-rank" + peer);
        sender.setDaemon(true);
        sender.start();
    }

    private void sendLoop(BiConsumer<Integer, IOException> onSendFailure) {
        try {
            while (true) {
                Frame f = queue.take();
                if (f == STOP) {
                    return;
                }
                out.write(f.bytes, 0, f.length);
                if (f.pooled) {
                    pool.add(f);
                }
                if (f.lastOnConnection) {
                    socket.shutdownOutput();
                    return;
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                onSendFailure.accept(peer, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a frame; the sender thread writes it and, if it is pooled, returns it to the pool. */
    void send(Frame frame) {
        queue.add(frame);
    }

    /** Fills b[off, off + len) from the socket; waits at most the socket's timeout for each read. */
    void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("the connection was closed");
            }
            off += n;
            len -= n;
        }
    }

    /** Wakes the calling thread if it waits on this connection: its read sees the end of the stream. */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException ignored) {
            // The socket is already closed or reset: reads fail either way.
        }
    }

    /** Lets the sender write what is queued (at most waitMillis), then closes the socket. */
    void close(long waitMillis) {
        queue.add(STOP);
        try {
            sender.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort: the peer sees the connection end either way.
        }
        sender.interrupt();
    }

    /** A frame's bytes: the header then the payload, little-endian. */
    static final class Frame {
        final byte[] bytes;
        final ByteBuffer buffer;
        final boolean pooled;
        int length;
        boolean lastOnConnection;

        Frame(int capacity, boolean pooled) {
            this.bytes = new byte[capacity];
            this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.pooled = pooled;
        }
    }
}
