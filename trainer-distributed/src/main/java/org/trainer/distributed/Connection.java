package org.trainer.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * One authenticated TCP connection to a peer rank, usable in both directions. The rank's calling
 * thread reads frames itself (it knows what it expects next); a sender thread writes the frames
 * the caller queued, so that a rank writing a large message never waits for its peer to read
 * before it can read what the peer writes to it: two ranks sending to each other at once cannot
 * deadlock on full socket buffers.
 *
 * <p>The channel is non-blocking, with one selector for the reader (which waits at most the timeout
 * for each arrival of bytes) and one for the sender; frames live in direct buffers, which the
 * kernel reads and writes without the copy through a temporary buffer that heap arrays cost. The
 * caller writes a frame itself when nothing is queued and the socket takes it; only the rest goes
 * through the sender thread.
 */
final class Connection {
    /** magic, kind, param, total, count, crc: six little-endian ints. */
    static final int HEADER = 24;
    static final int MAGIC = 0x544E5246;

    private static final Frame STOP = new Frame(0, false);

    final int peer;
    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final long timeoutNanos;
    private final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Frame> pool;
    private final Thread sender;
    /** Frames queued by send and not yet taken by the sender thread. */
    private final AtomicInteger unwritten = new AtomicInteger();
    /** Frames handed to the sender thread and not yet completely written. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Held by whichever thread writes to the channel, so that frames never interleave. */
    private final ReentrantLock writing = new ReentrantLock();
    private final BiConsumer<Integer, IOException> onSendFailure;
    private volatile boolean stopping;

    /**
     * @param channel       connected and authenticated; switched to non-blocking mode here
     * @param timeout       the longest {@link #readFully} waits for the peer's next bytes
     * @param onSendFailure told (peer, exception) when a write fails, unless the connection is being closed
     */
    Connection(int rank, int peer, SocketChannel channel, Duration timeout, ConcurrentLinkedQueue<Frame> pool,
            BiConsumer<Integer, IOException> onSendFailure) throws IOException {
        this.peer = peer;
        this.channel = channel;
        this.timeoutNanos = timeout.toNanos();
        this.pool = pool;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
        this.onSendFailure = onSendFailure;
        this.sender = new Thread(this::sendLoop, "trainer-tcp-rank" + rank + "-to-rank" + peer);
        sender.setDaemon(true);
        sender.start();
    }

    private void sendLoop() {
        try {
            while (true) {
                Frame f = queue.take();
                if (f == STOP) {
                    return;
                }
                written();
                ByteBuffer b = f.buffer;
                writing.lock();
                try {
                    // From where the caller's direct write stopped, if it started this frame.
                    while (b.hasRemaining()) {
                        if (channel.write(b) == 0) {
                            // The peer's receive buffer is full: wait until it reads (or close() wakes this thread).
                            writable.select(1000);
                            writable.selectedKeys().clear();
                            if (stopping) {
                                return;
                            }
                        }
                    }
                } finally {
                    writing.unlock();
                }
                done(f);
                pending.decrementAndGet();
            }
        } catch (IOException e) {
            if (!stopping) {
                onSendFailure.accept(peer, e);
            }
        } catch (ClosedSelectorException e) {
            // close() closed the selector while this thread waited to write: the connection is over.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Counts a frame as taken by the sender thread, and wakes a caller waiting for room. */
    private void written() {
        if (unwritten.decrementAndGet() < TcpCollective.SEND_WINDOW) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Sends a frame: the calling thread writes what the socket takes at once if nothing is queued
     * before it, and queues the rest for the sender thread (a thread hand-off per frame costs more than
     * the write). A written frame goes back to the pool if it is pooled.
     */
    void send(Frame frame) {
        ByteBuffer b = frame.buffer;
        b.limit(frame.length).position(0);
        IOException failure = null;
        boolean handled = false;
        if (pending.get() == 0 && writing.tryLock()) {
            try {
                // pending == 0 under the lock: no frame waits and the sender thread is idle, so order holds.
                if (pending.get() == 0) {
                    handled = true;
                    try {
                        while (b.hasRemaining() && channel.write(b) > 0) {
                            // The socket keeps taking bytes.
                        }
                        if (b.hasRemaining()) {
                            // Queued under the lock, so no other thread's frame can start before the rest.
                            enqueue(frame);
                        } else {
                            done(frame);
                        }
                    } catch (IOException e) {
                        failure = e;
                    }
                }
            } finally {
                writing.unlock();
            }
        }
        if (!handled) {
            enqueue(frame);
        }
        if (failure != null && !stopping) {
            onSendFailure.accept(peer, failure);
        }
    }

    private void enqueue(Frame frame) {
        pending.incrementAndGet();
        unwritten.incrementAndGet();
        queue.add(frame);
    }

    /** After a frame's last byte: recycles it, and ends the output after a connection's last frame. */
    private void done(Frame frame) throws IOException {
        if (frame.pooled) {
            pool.add(frame);
        }
        if (frame.lastOnConnection) {
            channel.shutdownOutput();
        }
    }

    /**
     * Waits until fewer than {@code max} queued frames wait for the sender thread, at most
     * {@code timeoutNanos}.
     *
     * @return false if the time ran out; true at once if the sender thread has ended (its failure is
     *         reported by the group)
     */
    boolean awaitRoom(int max, long timeoutNanos) throws InterruptedException {
        if (unwritten.get() < max) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (this) {
            while (unwritten.get() >= max && sender.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /**
     * Fills {@code dst} from its position to its limit.
     *
     * @throws SocketTimeoutException if no byte arrives for the timeout
     * @throws EOFException           if the peer closed the connection first
     */
    void readFully(ByteBuffer dst) throws IOException {
        long waitingSince = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                throw new EOFException("the connection was closed");
            }
            if (n > 0) {
                waitingSince = 0;
                continue;
            }
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince >= timeoutNanos) {
                throw new SocketTimeoutException("no data for " + Duration.ofNanos(timeoutNanos));
            }
            long left = timeoutNanos - (now - waitingSince);
            try {
                readable.select(Math.max(1, left / 1_000_000));
                readable.selectedKeys().clear();
            } catch (ClosedSelectorException e) {
                throw new ClosedChannelException();
            }
        }
    }

    /**
     * Whether bytes (or the end of the stream) wait to be read, without waiting.
     *
     * @throws ClosedChannelException if the connection was closed
     */
    boolean hasInput() throws IOException {
        try {
            int n = readable.selectNow();
            readable.selectedKeys().clear();
            return n > 0;
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
        }
    }

    /** Wakes the calling thread if it waits on this connection: its read sees the end of the stream. */
    void stopReading() {
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // The channel is already closed or reset: reads fail either way.
        }
        readable.wakeup();
    }

    /** Lets the sender write what is queued (at most waitMillis), then closes the channel. */
    void close(long waitMillis) {
        queue.add(STOP);
        try {
            sender.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        writable.wakeup();
        sender.interrupt();
        for (java.io.Closeable c : new java.io.Closeable[] {channel, readable, writable}) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Closing is best effort: the peer sees the connection end either way.
            }
        }
    }

    /** A frame's bytes: the header then the payload, little-endian, in a direct buffer. */
    static final class Frame {
        final ByteBuffer buffer;
        final boolean pooled;
        int length;
        boolean lastOnConnection;

        Frame(int capacity, boolean pooled) {
            this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            this.pooled = pooled;
        }
    }
}
