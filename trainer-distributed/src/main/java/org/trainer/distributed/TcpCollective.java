package org.trainer.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Collective} among processes (on one machine or several) over TCP, arranged in a ring as
 * Gloo and NCCL arrange theirs: rank r dials rank (r + 1) mod W and accepts rank (r - 1) mod W, and
 * each of these connections carries frames both ways (with W = 2 the two ranks share one
 * connection; with W = 1 there are no sockets and every operation is local).
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li>{@code allReduce}: a ring reduce-scatter then a ring all-gather over W segments of the
 *       range (segment k is {@code [offset + length*k/W, offset + length*(k+1)/W)}), each moved in
 *       frames of at most {@link Options#chunkBytes()} bytes. Round j takes frame j of every
 *       segment through all 2(W-1) steps (as NCCL's ring does), each frame forwarded as soon as it
 *       is summed, and the next round follows on its heels. Segment k is summed along the ring from rank k, {@code x = x_local + x_received},
 *       ending on rank (k - 1) mod W, which alone computes its final value (and, for
 *       {@link ReduceOp#MEAN}, divides that sum by W); the others copy those bits, so every rank
 *       ends with identical values. Each rank sends and receives 2(W-1)/W of the data.
 *       Ranks that all run on one machine (and all allow it, {@link Options#withSharedMemory}) instead
 *       all-reduce through a file they map into memory ({@code SharedMemoryReduce}): segment k is then
 *       summed in rank order by rank k, with no socket in the data's way; the sockets still carry
 *       the other operations and the news of a failed or lost rank. They find out while connecting.</li>
 *   <li>{@code broadcast}: the root's range is pipelined along the ring, frame by frame; the last
 *       rank tells the root it has everything, so a root disagreement is caught by the root.</li>
 *   <li>{@code allGather} and {@code barrier}: each rank's bytes go once around the ring.</li>
 *   <li>{@code send}/{@code recv}: between ring neighbours over their ring connection (so on such
 *       a pair a send's frames are read in order with the collectives' frames: the receiver must
 *       recv it before its next collective); between other ranks over a connection the sender
 *       dials on its first send to that rank (authenticated like the ring's) and keeps.</li>
 * </ul>
 *
 * <h2>Frames and refusals</h2>
 * Every frame is a 24-byte little-endian header (magic, kind: operation and dtype, a parameter:
 * the reduce op, the root or the rank whose bytes these are, the operation's total element or byte
 * count, this frame's count, and a CRC32C of the header's first 20 bytes and the payload) followed
 * by the payload. The receiver checks magic, kind, parameter, total and count against what it
 * expects before it reads the payload, and the CRC after; a mismatch fails the operation naming the
 * peer and both values. A rank that fails sends the reason to its peers, which fail with it and
 * pass it on, so every rank of the group learns it; afterwards every operation is refused.
 *
 * <h2>Who may connect</h2>
 * A connection is used only after the mutual HMAC-SHA256 challenge-response of {@code Handshake}
 * with the job secret and job id. The listening socket stays open for the group's lifetime (other
 * ranks dial point-to-point connections on first use); a connection that fails the handshake is
 * logged at WARN with its remote address and closed, and the rank keeps waiting for its real peer.
 *
 * <h2>Threads and memory</h2>
 * The calling thread reads, and writes a frame itself when nothing is queued on that connection and
 * the socket takes it whole; one sender thread per connection writes the rest, so reading and
 * writing overlap and two ranks writing large frames to each other cannot deadlock. One acceptor
 * thread, plus a short-lived thread per handshake in progress (at most 16). Frames live in direct
 * buffers (the kernel copies them without a detour through a temporary buffer) taken from a pool and
 * reused, so an operation in steady state allocates nothing in proportion to its data. An
 * all-reduce or a broadcast keeps at most 4 frames ({@code SEND_WINDOW}) waiting per connection
 * (the caller waits for the sender thread beyond that); {@code allGather} and {@code send} queue all
 * their frames at once, since their peers may read them only later, so their buffers grow with the
 * message (allocated once, then reused).
 *
 * <h2>Faults</h2>
 * A peer whose connection closes or resets fails the operation at once ("rank N lost: ..."); a
 * peer that sends nothing for {@link Options#timeout()} fails it naming that rank. {@link #close()}
 * tells the neighbours, which fail their current or next operation naming this rank.
 */
public final class TcpCollective implements Collective {
    private static final Logger LOG = LoggerFactory.getLogger(TcpCollective.class);

    static final int ALL_REDUCE = 1;
    static final int BROADCAST = 2;
    static final int BROADCAST_DONE = 3;
    static final int ALL_GATHER = 4;
    static final int BARRIER = 5;
    static final int SEND = 6;
    static final int ABORT = 0x7f;
    static final int BYTES = 0;
    static final int FLOAT32 = 1;
    static final int FLOAT64 = 2;
    /** The longest failure message sent to peers. */
    private static final int MAX_ABORT_BYTES = 4096;
    private static final int MAX_HANDSHAKES = 16;
    private static final long CLOSE_WAIT_MILLIS = 1000;
    /**
     * Frames of an all-reduce or a broadcast that may wait to be written on one connection; beyond
     * them the caller waits. The ring's rounds keep fewer in flight, so this only bounds memory.
     */
    static final int SEND_WINDOW = 4;

    private final int rank;
    private final int world;
    private final Options options;
    private final byte[] jobId;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final CompletableFuture<Connection> ringInbound = new CompletableFuture<>();
    private final ConcurrentHashMap<Integer, CompletableFuture<Connection>> inbound = new ConcurrentHashMap<>();
    private final Connection[] outbound;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
    private final ConcurrentLinkedQueue<Connection.Frame> pool = new ConcurrentLinkedQueue<>();
    private final byte[] header = new byte[Connection.HEADER];
    private final ByteBuffer headerBuffer = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer payload;
    private final CRC32C sendCrc = new CRC32C();
    private final CRC32C receiveCrc = new CRC32C();
    private final float[] floatScratch;
    private final double[] doubleScratch;
    private List<String> addresses = List.of();
    private Connection next;
    private Connection prev;
    /** Where the ranks all-reduce when they share a machine; null when they use the sockets. */
    private SharedMemoryReduce shared;
    private volatile String failure;
    private volatile boolean closed;
    /** Test hook: flips a payload bit of the next non-empty frame after its CRC was computed. */
    volatile boolean corruptNextFrame;

    private TcpCollective(int rank, int world, Options options) throws IOException {
        this.rank = rank;
        this.world = world;
        this.options = options;
        this.jobId = options.jobId.getBytes(StandardCharsets.UTF_8);
        this.outbound = new Connection[world];
        this.floatScratch = new float[world == 1 ? 0 : options.chunkBytes / Float.BYTES];
        this.doubleScratch = new double[world == 1 ? 0 : options.chunkBytes / Double.BYTES];
        this.payload = ByteBuffer.allocateDirect(world == 1 ? 0 : Math.max(options.chunkBytes, MAX_ABORT_BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (world == 1) {
            server = null;
            acceptor = null;
            return;
        }
        server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(InetAddress.getByName(options.bindAddress), options.port), 64);
        } catch (IOException e) {
            closeQuietly(server);
            throw e;
        }
        acceptor = new Thread(this::acceptLoop, "trainer-tcp-rank" + rank + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Joins the group: listens on {@link Options#bindAddress()}, publishes this rank's address
     * through the rendezvous, dials the next rank and waits for the previous one, each within
     * {@link Options#timeout()}. Every rank calls this with the same world size, secret and job id.
     *
     * @param rank this rank
     * @param worldSize the number of ranks
     * @param rendezvous where the ranks exchange addresses
     * @param options the network settings, the same on every rank
     * @return the connected collective
     * @throws IllegalArgumentException if worldSize &lt; 1, the rank is outside [0, worldSize), or the
     *                                  options have no secret
     * @throws CollectiveException      if the rendezvous or a connection fails (naming the rank)
     */
    public static TcpCollective connect(int rank, int worldSize, Rendezvous rendezvous, Options options) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("TcpCollective.connect: worldSize must be >= 1, got " + worldSize);
        }
        Checks.rank("TcpCollective.connect", "rank", rank, worldSize);
        Objects.requireNonNull(rendezvous, "rendezvous");
        Objects.requireNonNull(options, "options");
        if (options.secret == null) {
            throw new IllegalArgumentException("TcpCollective.connect: options.secret is required (at least "
                    + Options.MIN_SECRET_BYTES + " bytes, the same on every rank; see Options.newSecret()), got none");
        }
        TcpCollective c;
        try {
            c = new TcpCollective(rank, worldSize, options);
        } catch (IOException e) {
            throw new CollectiveException("TcpCollective.connect on rank " + rank + ": cannot listen on "
                    + options.bindAddress + ":" + options.port + ": " + e, e);
        }
        if (worldSize == 1) {
            return c;
        }
        try {
            c.join(rendezvous);
            c.shareMemory();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void join(Rendezvous rendezvous) {
        String me = options.advertisedHost() + ":" + server.socket().getLocalPort();
        addresses = List.copyOf(rendezvous.exchange(rank, world, me, options.timeout));
        if (addresses.size() != world) {
            throw new CollectiveException("TcpCollective.connect on rank " + rank + ": the rendezvous returned "
                    + addresses.size() + " addresses, expected " + world);
        }
        int nextRank = (rank + 1) % world;
        int prevRank = (rank + world - 1) % world;
        long deadline = System.nanoTime() + options.timeout.toNanos();
        // With two ranks, one connection serves both directions: rank 0 dials, rank 1 accepts.
        if (world > 2 || rank == 0) {
            next = dial(nextRank, Handshake.RING, deadline);
        }
        if (world > 2 || rank == 1) {
            try {
                prev = ringInbound.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new CollectiveException("TcpCollective.connect on rank " + rank + ": rank " + prevRank
                        + " did not connect within " + options.timeout + " (its address: " + addresses.get(prevRank)
                        + ")");
            } catch (ExecutionException | InterruptedException e) {
                throw new CollectiveException("TcpCollective.connect on rank " + rank + ": " + e, e);
            }
        }
        if (world == 2) {
            if (rank == 0) {
                prev = next;
            } else {
                next = prev;
            }
        }
        LOG.debug("rank {} of {} connected: next {}, previous {}", rank, world, nextRank, prevRank);
    }

    /**
     * Sets up the shared-memory all-reduce if every rank allows it and all run on one machine (the
     * same Linux boot id): rank 0 creates the file and sends its name and token over the ring,
     * the others map it, and if all succeeded rank 0 deletes it; otherwise all keep to the sockets.
     * Three small all-gathers, so every rank takes the same decision.
     */
    private void shareMemory() {
        byte[][] hosts = gather("connect", ALL_GATHER, options.sharedMemory ? bootId() : new byte[0]);
        for (byte[] h : hosts) {
            if (h.length == 0 || !java.util.Arrays.equals(h, hosts[0])) {
                return;
            }
        }
        byte[] token = new byte[SharedMemoryReduce.TOKEN_BYTES];
        java.nio.file.Path file = null;
        try {
            String offer = "";
            if (rank == 0) {
                new SecureRandom().nextBytes(token);
                try {
                    file = SharedMemoryReduce.create(sharedDirectory(), world, token);
                    offer = Options.toHex(token) + file;
                } catch (IOException | RuntimeException e) {
                    LOG.debug("rank 0: no shared memory for the all-reduce: {}", e.toString());
                }
            }
            String got = new String(gather("connect", ALL_GATHER, offer.getBytes(StandardCharsets.UTF_8))[0],
                    StandardCharsets.UTF_8);
            SharedMemoryReduce mapped = null;
            if (got.length() > 2 * token.length) {
                try {
                    mapped = SharedMemoryReduce.open(java.nio.file.Path.of(got.substring(2 * token.length)), rank,
                            world, Options.fromHex(got.substring(0, 2 * token.length)), options.timeout.toNanos());
                } catch (IOException | RuntimeException e) {
                    LOG.debug("rank {}: cannot map the shared memory: {}", rank, e.toString());
                }
            }
            byte[][] ok = gather("connect", ALL_GATHER, new byte[] {(byte) (mapped != null ? 1 : 0)});
            for (byte[] b : ok) {
                if (b.length != 1 || b[0] != 1) {
                    return;
                }
            }
            shared = mapped;
            LOG.debug("rank {} of {}: all-reduce through shared memory", rank, world);
        } finally {
            if (file != null) {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("rank 0: cannot delete {}: {}", file, e.toString());
                }
            }
        }
    }

    /** Linux's id of this boot, the same for every process of the machine; empty elsewhere. */
    private static byte[] bootId() {
        try {
            return java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id"));
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /** /dev/shm (memory) where it can be written, else the temporary directory. */
    private static java.nio.file.Path sharedDirectory() {
        java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
        return java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm) ? shm
                : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * What a rank waiting in the shared-memory all-reduce consults: the group's failure, and the ring
     * connections, on which nothing should arrive before every rank has reached the barrier (a peer
     * that fails sends its reason, a lost one closes, one in another operation sends that operation's
     * frame, which is refused as over TCP).
     */
    private final class SharedPeers implements SharedMemoryReduce.Peers {
        private final int kind;
        private final int param;
        private final int total;
        private final int elementBytes;

        SharedPeers(int kind, int param, int total, int elementBytes) {
            this.kind = kind;
            this.param = param;
            this.total = total;
            this.elementBytes = elementBytes;
        }

        @Override
        public void check(String what, java.util.function.BooleanSupplier arrived) {
            String earlier = failure;
            if (earlier != null) {
                throw new CollectiveException(what + " on rank " + rank + ": " + earlier);
            }
            for (Connection c : prev == next ? List.of(prev) : List.of(prev, next)) {
                boolean input;
                try {
                    input = c.hasInput();
                } catch (IOException ex) {
                    throw lost(what, c.peer, ex);
                }
                // A peer past the barrier may already have started the next operation: only input that comes
                // while the barrier is still open is a failure.
                if (input && !arrived.getAsBoolean()) {
                    receive(c, what, kind, param, total, -1, elementBytes);
                    throw failed(what, "rank " + c.peer + " sent a frame of " + kindName(kind) + " while rank " + rank
                            + " waited for it in shared memory");
                }
            }
        }

        @Override
        public RuntimeException late(String what, int late) {
            return failed(what, "rank " + late + " sent nothing within " + options.timeout + " (it stopped answering,"
                    + " or has not reached this operation)");
        }

        @Override
        public RuntimeException mismatch(String what, String why) {
            return failed(what, why);
        }
    }

    /** Dials rank {@code to} and authenticates, retrying while it does not listen yet, until the deadline. */
    private Connection dial(int to, int purpose, long deadline) {
        String address = addresses.get(to);
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        int handshakeMillis = (int) Math.max(1, options.handshakeTimeout.toMillis());
        while (true) {
            SocketChannel s;
            try {
                s = SocketChannel.open();
            } catch (IOException e) {
                throw new CollectiveException("TcpCollective on rank " + rank + ": cannot open a socket: " + e, e);
            }
            try {
                s.socket().setTcpNoDelay(true);
                s.socket().connect(new InetSocketAddress(host, port), handshakeMillis);
            } catch (ConnectException | SocketTimeoutException e) {
                closeQuietly(s);
                if (System.nanoTime() - deadline >= 0) {
                    throw new CollectiveException("TcpCollective on rank " + rank + ": cannot connect to rank " + to
                            + " at " + address + " within " + options.timeout + ": " + e.getMessage(), e);
                }
                sleep(50);
                continue;
            } catch (IOException e) {
                closeQuietly(s);
                throw new CollectiveException("TcpCollective on rank " + rank + ": cannot connect to rank " + to
                        + " at " + address + ": " + e, e);
            }
            // Connected: from here a failure is final, since a retry would race the peer's record of this attempt.
            try {
                s.socket().setSoTimeout(handshakeMillis);
                Handshake.dial(s.socket(), purpose, rank, to, world, jobId, options.secret);
                return register(s, to);
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                throw new CollectiveException("TcpCollective on rank " + rank + ": rank " + to + " at " + address
                        + " did not complete the handshake within " + options.handshakeTimeout, e);
            } catch (Handshake.Refused e) {
                closeQuietly(s);
                throw new CollectiveException("TcpCollective on rank " + rank + ": the handshake with rank " + to
                        + " at " + address + " failed: " + e.getMessage());
            } catch (IOException e) {
                closeQuietly(s);
                throw new CollectiveException("TcpCollective on rank " + rank + ": cannot connect to rank " + to
                        + " at " + address + ": " + e, e);
            }
        }
    }

    private Connection register(SocketChannel s, int peer) throws IOException {
        s.socket().setTcpNoDelay(true);
        Connection c = new Connection(rank, peer, s, options.timeout, pool, this::sendFailed);
        connections.add(c);
        if (closed || failure != null) {
            // close() or a failure may have swept the connections before this one was added.
            c.close(0);
        }
        return c;
    }

    private void sendFailed(int peer, IOException e) {
        fail("rank " + peer + " lost: " + e.getMessage());
    }

    private void acceptLoop() {
        int prevRank = (rank + world - 1) % world;
        while (!closed) {
            SocketChannel s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("rank {}: the listening socket failed: {}", rank, e.toString());
                }
                return;
            }
            if (!handshakes.tryAcquire()) {
                LOG.warn("rank {}: refused a connection from {}: {} handshakes already in progress", rank,
                        s.socket().getRemoteSocketAddress(), MAX_HANDSHAKES);
                closeQuietly(s);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    handshake(s, prevRank);
                } finally {
                    handshakes.release();
                }
            }, "trainer-tcp-rank" + rank + "-handshake");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handshake(SocketChannel s, int prevRank) {
        Object remote = s.socket().getRemoteSocketAddress();
        try {
            s.socket().setSoTimeout((int) Math.max(1, options.handshakeTimeout.toMillis()));
            Handshake.Hello hello = Handshake.accept(s.socket(), rank, prevRank, world, jobId, options.secret);
            CompletableFuture<Connection> slot = hello.purpose() == Handshake.RING ? ringInbound
                    : inbound.computeIfAbsent(hello.from(), r -> new CompletableFuture<>());
            synchronized (slot) {
                if (slot.isDone()) {
                    throw new Handshake.Refused("rank " + hello.from() + " is already connected");
                }
                slot.complete(register(s, hello.from()));
            }
        } catch (Handshake.Refused e) {
            LOG.warn("rank {}: refused a connection from {}: {}", rank, remote, e.getMessage());
            closeQuietly(s);
        } catch (SocketTimeoutException e) {
            LOG.warn("rank {}: refused a connection from {}: silent for {} during the handshake", rank, remote,
                    options.handshakeTimeout);
            closeQuietly(s);
        } catch (IOException e) {
            LOG.warn("rank {}: refused a connection from {}: {}", rank, remote,
                    e instanceof EOFException ? "it closed the connection during the handshake" : e.toString());
            closeQuietly(s);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return world;
    }

    /**
     * The address each rank listens on, by rank, as the rendezvous returned them (empty when W = 1).
     *
     * @return the addresses
     */
    public List<String> addresses() {
        return addresses;
    }

    /**
     * Replaces {@code data[offset, offset + length)} on every rank by the element-wise sum over ranks
     * (for {@link ReduceOp#MEAN}, that sum divided by W), in place; the rest of {@code data} is not
     * touched. Ring reduce-scatter then ring all-gather (see the class comment): segment k's sum is
     * {@code x_(k-1) + (... + (x_(k+1) + x_k))}, indices mod W, computed on rank (k - 1) mod W and copied
     * bit for bit to the others. If the operation fails, the range may hold partial sums.
     *
     * @throws CollectiveException if a rank is lost, times out, or passed another length or op
     */
    @Override
    public void allReduce(float[] data, int offset, int length, ReduceOp op) {
        Checks.range("allReduce", data.length, offset, length);
        Objects.requireNonNull(op, "op");
        allReduce("allReduce(float32, " + op + ")", new FrameElements.Floats(data, floatScratch), offset, length, op);
    }

    /** {@link #allReduce(float[], int, int, ReduceOp)} in float64, with the same order of additions. */
    @Override
    public void allReduce(double[] data, int offset, int length, ReduceOp op) {
        Checks.range("allReduce", data.length, offset, length);
        Objects.requireNonNull(op, "op");
        allReduce("allReduce(float64, " + op + ")", new FrameElements.Doubles(data, doubleScratch), offset, length, op);
    }

    /**
     * Copies rank {@code root}'s {@code data[offset, offset + length)} into the same range of every
     * other rank's {@code data}, frame by frame along the ring from the root; the root's array is only
     * read.
     */
    @Override
    public void broadcast(float[] data, int offset, int length, int root) {
        Checks.range("broadcast", data.length, offset, length);
        Checks.rank("broadcast", "root", root, world);
        broadcast("broadcast(float32) from root " + root, new FrameElements.Floats(data, floatScratch), offset, length, root);
    }

    @Override
    public void broadcast(double[] data, int offset, int length, int root) {
        Checks.range("broadcast", data.length, offset, length);
        Checks.rank("broadcast", "root", root, world);
        broadcast("broadcast(float64) from root " + root, new FrameElements.Doubles(data, doubleScratch), offset, length, root);
    }

    @Override
    public byte[][] allGather(byte[] local) {
        Objects.requireNonNull(local, "local");
        return gather("allGather", ALL_GATHER, local);
    }

    @Override
    public void barrier() {
        gather("barrier", BARRIER, new byte[0]);
    }

    @Override
    public void send(int dst, float[] data, int offset, int length) {
        Checks.range("send", data.length, offset, length);
        send(dst, new FrameElements.Floats(data, floatScratch), offset, length);
    }

    @Override
    public void send(int dst, double[] data, int offset, int length) {
        Checks.range("send", data.length, offset, length);
        send(dst, new FrameElements.Doubles(data, doubleScratch), offset, length);
    }

    @Override
    public void recv(int src, float[] data, int offset, int length) {
        Checks.range("recv", data.length, offset, length);
        recv(src, new FrameElements.Floats(data, floatScratch), offset, length);
    }

    @Override
    public void recv(int src, double[] data, int offset, int length) {
        Checks.range("recv", data.length, offset, length);
        recv(src, new FrameElements.Doubles(data, doubleScratch), offset, length);
    }

    private void allReduce(String what, FrameElements e, int offset, int length, ReduceOp op) {
        checkOpen(what);
        if (world == 1) {
            return; // the sum of one rank is its value, and dividing by 1 changes no bit
        }
        int kind = kind(ALL_REDUCE, e.dtype);
        int param = op.ordinal();
        int chunk = options.chunkBytes / e.bytes;
        if (shared != null) {
            shared.allReduce(what, e, offset, length, kind, param, op == ReduceOp.MEAN, chunk,
                    new SharedPeers(kind, param, length, e.bytes));
            return;
        }
        int longest = segmentStart(offset, length, 1) - segmentStart(offset, length, 0);
        for (int k = 1; k < world; k++) {
            longest = Math.max(longest, segmentStart(offset, length, k + 1) - segmentStart(offset, length, k));
        }
        int rounds = Math.max(1, (longest + chunk - 1) / chunk);
        // Round j moves frame j of every segment through all 2(W-1) steps, as NCCL's ring does: each rank
        // sends one frame, then sends one for each it receives, so a connection never holds more than a
        // couple of a round's frames and the send window (SEND_WINDOW) bounds the memory in flight.
        for (int j = 0; j < rounds; j++) {
            sendChunk(what, kind, param, offset, length, e, rank, j, chunk);
            // Reduce-scatter: at step s, frame j of segment (r - s - 1) arrives holding the sum of the s + 1
            // ranks before this one; add this rank's values and pass it on.
            for (int s = 0; s < world - 1; s++) {
                int k = Math.floorMod(rank - s - 1, world);
                int a = chunkStart(offset, length, k, j, chunk);
                int n = chunkLength(offset, length, k, j, chunk);
                receive(prev, what, kind, param, length, n, e.bytes);
                e.add(payload, a, n);
                if (s == world - 2 && op == ReduceOp.MEAN) {
                    e.divide(a, n, world);
                }
                // The last step's sums are final: sending them starts the all-gather.
                sendChunk(what, kind, param, offset, length, e, k, j, chunk);
            }
            // All-gather: at step s, the final frame j of segment (r - s) arrives; keep it and pass it on.
            for (int s = 0; s < world - 1; s++) {
                int k = Math.floorMod(rank - s, world);
                int a = chunkStart(offset, length, k, j, chunk);
                int n = chunkLength(offset, length, k, j, chunk);
                receive(prev, what, kind, param, length, n, e.bytes);
                e.get(payload, a, n);
                if (s < world - 2) {
                    sendChunk(what, kind, param, offset, length, e, k, j, chunk);
                }
            }
        }
    }

    /** Queues frame j of segment k for the next rank, once fewer than SEND_WINDOW frames wait to be written. */
    private void sendChunk(String what, int kind, int param, int offset, int length, FrameElements e, int k, int j,
            int chunk) {
        awaitRoom(next, what);
        sendFrame(next, kind, param, length, e, chunkStart(offset, length, k, j, chunk),
                chunkLength(offset, length, k, j, chunk));
    }

    /** The first element of frame j of segment k (the segment's end if the segment has fewer frames). */
    private int chunkStart(int offset, int length, int k, int j, int chunk) {
        return (int) Math.min((long) segmentStart(offset, length, k) + (long) j * chunk,
                segmentStart(offset, length, k + 1));
    }

    /** The elements in frame j of segment k: chunk, fewer in its last frame, 0 past its end. */
    private int chunkLength(int offset, int length, int k, int j, int chunk) {
        return Math.min(chunk, segmentStart(offset, length, k + 1) - chunkStart(offset, length, k, j, chunk));
    }

    /**
     * Waits until fewer than {@link #SEND_WINDOW} frames wait to be written to c: a peer that stops
     * reading then stalls this rank instead of filling its memory, and fails it after the timeout.
     */
    private void awaitRoom(Connection c, String what) {
        boolean room;
        try {
            room = c.awaitRoom(SEND_WINDOW, options.timeout.toNanos());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failed(what, "rank " + rank + " was interrupted");
        }
        if (!room) {
            throw failed(what, "rank " + c.peer + " took none of this rank's data within " + options.timeout
                    + " (it stopped reading)");
        }
    }

    /** The first element of segment k (k = W gives the end): segments differ in size by at most one. */
    private int segmentStart(int offset, int length, int k) {
        return offset + (int) ((long) length * k / world);
    }

    private void broadcast(String what, FrameElements e, int offset, int length, int root) {
        checkOpen(what);
        if (world == 1) {
            return;
        }
        int kind = kind(BROADCAST, e.dtype);
        int chunk = options.chunkBytes / e.bytes;
        int nextRank = (rank + 1) % world;
        if (rank == root) {
            // Nothing comes back before the end, so the window paces the root to the ring's speed.
            for (int a = offset, first = 1; a < offset + length || first == 1; a += chunk, first = 0) {
                awaitRoom(next, what);
                sendFrame(next, kind, root, length, e, a, Math.min(chunk, offset + length - a));
            }
            receive(prev, what, kind(BROADCAST_DONE, e.dtype), root, length, 0, e.bytes);
            return;
        }
        for (int a = offset, first = 1; a < offset + length || first == 1; a += chunk, first = 0) {
            int n = Math.min(chunk, offset + length - a);
            receive(prev, what, kind, root, length, n, e.bytes);
            e.get(payload, a, n);
            if (nextRank != root) {
                awaitRoom(next, what);
                sendFrame(next, kind, root, length, e, a, n);
            }
        }
        if (nextRank == root) {
            sendFrame(next, kind(BROADCAST_DONE, e.dtype), root, length, e, offset, 0);
        }
    }

    private byte[][] gather(String what, int op, byte[] local) {
        checkOpen(what);
        byte[][] out = new byte[world][];
        out[rank] = local.clone();
        if (world == 1) {
            return out;
        }
        int kind = kind(op, BYTES);
        int chunk = options.chunkBytes;
        sendRange(next, kind, rank, local.length, new FrameElements.Bytes(out[rank]), 0, local.length, chunk);
        for (int s = 0; s < world - 1; s++) {
            int k = Math.floorMod(rank - s - 1, world);
            // The first frame of rank k's bytes says how many there are; the CRC has vouched for that
            // count before it is allocated.
            receive(prev, what, kind, k, -1, -1, 1);
            int total = headerBuffer.getInt(12);
            out[k] = new byte[total];
            FrameElements.Bytes bytes = new FrameElements.Bytes(out[k]);
            int n = headerBuffer.getInt(16);
            for (int a = 0; ; ) {
                bytes.get(payload, a, n);
                if (s < world - 2) {
                    sendFrame(next, kind, k, total, bytes, a, n);
                }
                a += n;
                if (a >= total) {
                    break;
                }
                n = Math.min(chunk, total - a);
                receive(prev, what, kind, k, total, n, 1);
            }
        }
        return out;
    }

    private void send(int dst, FrameElements e, int offset, int length) {
        String what = "send(" + dtypeName(e.dtype) + ") to rank " + dst;
        checkOpen(what);
        Checks.rank("send", "dst", dst, world);
        if (dst == rank) {
            throw new IllegalArgumentException("send: dst must be another rank, got this rank " + rank);
        }
        Connection c = connectionTo(dst, what);
        sendRange(c, kind(SEND, e.dtype), 0, length, e, offset, offset + length, options.chunkBytes / e.bytes);
    }

    private void recv(int src, FrameElements e, int offset, int length) {
        String what = "recv(" + dtypeName(e.dtype) + ") from rank " + src;
        checkOpen(what);
        Checks.rank("recv", "src", src, world);
        if (src == rank) {
            throw new IllegalArgumentException("recv: src must be another rank, got this rank " + rank);
        }
        Connection c = connectionFrom(src, what);
        int chunk = options.chunkBytes / e.bytes;
        for (int a = offset, first = 1; a < offset + length || first == 1; a += chunk, first = 0) {
            int n = Math.min(chunk, offset + length - a);
            receive(c, what, kind(SEND, e.dtype), 0, length, n, e.bytes);
            e.get(payload, a, n);
        }
    }

    private Connection connectionTo(int dst, String what) {
        if (dst == next.peer) {
            return next;
        }
        if (dst == prev.peer) {
            return prev;
        }
        if (outbound[dst] == null) {
            try {
                outbound[dst] = dial(dst, Handshake.POINT_TO_POINT, System.nanoTime() + options.timeout.toNanos());
            } catch (CollectiveException e) {
                throw failed(what, e.getMessage());
            }
        }
        return outbound[dst];
    }

    private Connection connectionFrom(int src, String what) {
        if (src == prev.peer) {
            return prev;
        }
        if (src == next.peer) {
            return next;
        }
        CompletableFuture<Connection> slot = inbound.computeIfAbsent(src, r -> new CompletableFuture<>());
        try {
            return slot.get(options.timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw failed(what, "rank " + src + " did not connect within " + options.timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(what, "rank " + rank + " was interrupted");
        } catch (ExecutionException e) {
            throw failed(what, e.getCause().toString());
        }
    }

    /** Queues elements [from, to) for connection c in frames of at most chunk elements (one frame if empty). */
    private void sendRange(Connection c, int kind, int param, int total, FrameElements e, int from, int to, int chunk) {
        for (int a = from, first = 1; a < to || first == 1; a += chunk, first = 0) {
            sendFrame(c, kind, param, total, e, a, Math.min(chunk, to - a));
        }
    }

    private void sendFrame(Connection c, int kind, int param, int total, FrameElements e, int at, int n) {
        Connection.Frame f = pool.poll();
        if (f == null) {
            f = new Connection.Frame(Connection.HEADER + options.chunkBytes, true);
        }
        ByteBuffer b = f.buffer;
        b.clear();
        b.putInt(Connection.MAGIC).putInt(kind).putInt(param).putInt(total).putInt(n).putInt(0);
        e.put(b, at, n);
        int bytes = n * e.bytes;
        sendCrc.reset();
        sendCrc.update(b.limit(20).position(0));
        sendCrc.update(b.limit(Connection.HEADER + bytes).position(Connection.HEADER));
        b.putInt(20, (int) sendCrc.getValue());
        if (corruptNextFrame && bytes > 0) {
            corruptNextFrame = false;
            b.put(Connection.HEADER, (byte) (b.get(Connection.HEADER) ^ 1));
        }
        f.length = Connection.HEADER + bytes;
        f.lastOnConnection = false;
        c.send(f);
    }

    /**
     * Reads one frame from c into the payload buffer, refusing it before reading its payload unless
     * its magic, kind, parameter, total (-1: any) and count (-1: any up to the chunk size and the
     * total) are the expected ones, and after reading it unless its CRC matches.
     */
    private void receive(Connection c, String what, int kind, int param, int total, int count, int elementBytes) {
        int peer = c.peer;
        try {
            c.readFully(headerBuffer.clear());
        } catch (IOException ex) {
            throw lost(what, peer, ex);
        }
        ByteBuffer h = headerBuffer;
        int magic = h.getInt(0);
        int gotKind = h.getInt(4);
        int gotParam = h.getInt(8);
        int gotTotal = h.getInt(12);
        int gotCount = h.getInt(16);
        if (magic != Connection.MAGIC) {
            throw failed(what, String.format("rank %d sent a frame with magic 0x%08x, expected 0x%08x", peer, magic,
                    Connection.MAGIC));
        }
        if (gotKind == ABORT) {
            if (gotCount < 0 || gotCount > MAX_ABORT_BYTES) {
                throw failed(what, "rank " + peer + " failed, and its message of " + gotCount
                        + " bytes is longer than " + MAX_ABORT_BYTES);
            }
            readPayload(c, what, gotCount);
            byte[] text = new byte[gotCount];
            payload.get(0, text);
            String why = new String(text, StandardCharsets.UTF_8);
            throw failed(what, why.startsWith("rank " + peer + " ") ? why : why + " (reported by rank " + peer + ")");
        }
        // Within one operation (a broadcast's data and its end), a different parameter says more than the kind.
        if (gotParam != param && family(gotKind) == family(kind)) {
            throw failed(what, paramMismatch(kind & 0xff, peer, gotParam, param));
        }
        if (gotKind != kind) {
            throw failed(what, "rank " + peer + " sent " + kindName(gotKind) + ", rank " + rank + " expected "
                    + kindName(kind));
        }
        if (gotParam != param) {
            throw failed(what, paramMismatch(kind & 0xff, peer, gotParam, param));
        }
        String unit = (kind >> 8) == BYTES ? " bytes" : " elements";
        if (total >= 0 ? gotTotal != total : gotTotal < 0) {
            throw failed(what, "rank " + peer + " sent " + gotTotal + unit + ", rank " + rank + " expected "
                    + (total >= 0 ? Integer.toString(total) : "a count >= 0"));
        }
        int maxCount = Math.min(options.chunkBytes / elementBytes, gotTotal);
        if (count >= 0 ? gotCount != count : gotCount < 0 || gotCount > maxCount || (gotCount == 0 && gotTotal > 0)) {
            throw failed(what, "rank " + peer + " sent a frame of " + gotCount + unit + ", rank " + rank + " expected "
                    + (count >= 0 ? Integer.toString(count) : "1 to " + maxCount));
        }
        readPayload(c, what, gotCount * elementBytes);
    }

    private void readPayload(Connection c, String what, int bytes) {
        try {
            c.readFully(payload.clear().limit(bytes));
        } catch (IOException ex) {
            throw lost(what, c.peer, ex);
        }
        receiveCrc.reset();
        receiveCrc.update(header, 0, 20);
        receiveCrc.update(payload.flip());
        int computed = (int) receiveCrc.getValue();
        int sent = headerBuffer.getInt(20);
        if (computed != sent) {
            throw failed(what, String.format("rank %d sent a frame of %d bytes whose CRC32C is 0x%08x, but its"
                    + " bytes give 0x%08x: the data was damaged in transit", c.peer, bytes, sent, computed));
        }
    }

    private CollectiveException lost(String what, int peer, IOException ex) {
        String earlier = failure;
        if (earlier != null) {
            // Another thread failed the group and stopped this read: report that cause.
            return new CollectiveException(what + " on rank " + rank + ": " + earlier, ex);
        }
        if (closed) {
            return new CollectiveException(what + " on rank " + rank + ": this rank's collective was closed", ex);
        }
        String why = ex instanceof SocketTimeoutException
                ? "rank " + peer + " sent nothing within " + options.timeout + " (it stopped answering, or has not"
                        + " reached this operation)"
                : "rank " + peer + " lost: " + (ex instanceof EOFException ? "it closed the connection"
                        : ex.getMessage());
        CollectiveException e = failed(what, why);
        e.initCause(ex);
        return e;
    }

    private String paramMismatch(int op, int peer, int got, int expected) {
        return switch (op) {
            case ALL_REDUCE -> "rank " + peer + " reduces with " + opName(got) + ", rank " + rank + " with "
                    + opName(expected);
            case BROADCAST, BROADCAST_DONE -> "rank " + peer + " broadcasts from root " + got + ", rank " + rank
                    + " from root " + expected;
            case ALL_GATHER, BARRIER -> "rank " + peer + " sent the bytes of rank " + got + ", rank " + rank
                    + " expected rank " + expected + "'s";
            default -> "rank " + peer + " sent parameter " + got + ", rank " + rank + " expected " + expected;
        };
    }

    private static String opName(int ordinal) {
        ReduceOp[] ops = ReduceOp.values();
        return ordinal >= 0 && ordinal < ops.length ? ops[ordinal].toString() : "op #" + ordinal;
    }

    private static int family(int kind) {
        return (kind & 0xff) == BROADCAST_DONE ? kind(BROADCAST, kind >> 8) : kind;
    }

    static int kind(int op, int dtype) {
        return op | dtype << 8;
    }

    static String kindName(int kind) {
        int op = kind & 0xff;
        String dtype = dtypeName(kind >> 8);
        return switch (op) {
            case ALL_REDUCE -> "allReduce(" + dtype + ")";
            case BROADCAST -> "broadcast(" + dtype + ")";
            case BROADCAST_DONE -> "the end of broadcast(" + dtype + ")";
            case ALL_GATHER -> "allGather";
            case BARRIER -> "barrier";
            case SEND -> "send(" + dtype + ")";
            default -> String.format("unknown frame kind 0x%x", kind);
        };
    }

    static String dtypeName(int dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float32";
            case FLOAT64 -> "float64";
            case BYTES -> "bytes";
            default -> "dtype #" + dtype;
        };
    }

    /** Records why the group failed, tells every peer, and returns the exception for this operation. */
    private CollectiveException failed(String what, String why) {
        fail(why);
        return new CollectiveException(what + " on rank " + rank + ": " + why);
    }

    /**
     * Fails the group once: peers get the reason in an ABORT frame (the last on each connection),
     * and a caller blocked reading is woken.
     */
    private void fail(String why) {
        synchronized (this) {
            if (failure != null || closed) {
                return;
            }
            failure = why;
        }
        LOG.debug("rank {}: the group failed: {}", rank, why);
        for (Connection c : connections) {
            c.send(abortFrame(why));
            c.stopReading();
        }
    }

    private static Connection.Frame abortFrame(String why) {
        byte[] text = why.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_ABORT_BYTES);
        Connection.Frame f = new Connection.Frame(Connection.HEADER + n, false);
        ByteBuffer b = f.buffer;
        b.putInt(Connection.MAGIC).putInt(ABORT).putInt(0).putInt(n).putInt(n).putInt(0).put(text, 0, n);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(20).position(0));
        crc.update(b.duplicate().limit(Connection.HEADER + n).position(Connection.HEADER));
        b.putInt(20, (int) crc.getValue());
        f.length = Connection.HEADER + n;
        f.lastOnConnection = true;
        return f;
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + ": rank " + rank + "'s collective is closed");
        }
        String earlier = failure;
        if (earlier != null) {
            throw new CollectiveException(what + " on rank " + rank + ": the group failed earlier: " + earlier);
        }
    }

    /** Sends {@code reason} to the peers in an ABORT frame, so that they fail with it, then closes. */
    @Override
    public void abort(String reason) {
        fail(java.util.Objects.requireNonNull(reason, "reason"));
        close();
    }

    /**
     * Leaves the group: tells the peers (which fail their current or next operation naming this
     * rank), then stops the threads and closes the sockets. Idempotent.
     */
    @Override
    public void close() {
        boolean tell;
        synchronized (this) {
            if (closed) {
                return;
            }
            tell = failure == null;
            closed = true;
        }
        if (server != null) {
            closeQuietly(server);
        }
        for (Connection c : connections) {
            if (tell) {
                c.send(abortFrame("rank " + rank + " closed its collective"));
            }
            c.close(CLOSE_WAIT_MILLIS);
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
        pool.clear();
        shared = null; // the mapping goes with its last reference
    }

    /** The shared-memory all-reduce in use, or null if the sockets carry it (for tests). */
    SharedMemoryReduce sharedMemory() {
        return shared;
    }

    @Override
    public String toString() {
        return "TcpCollective(rank " + rank + " of " + world + (addresses.isEmpty() ? "" : " at "
                + addresses.get(rank)) + ")";
    }

    /**
     * How a rank listens, authenticates and waits: an immutable value, changed with the
     * {@code withX} methods, each of which checks its argument. {@link #defaults()} listens on the
     * loopback address on an ephemeral port and has no secret: every job must set one.
     */
    public static final class Options {
        /** The shortest secret accepted: 128 bits. */
        public static final int MIN_SECRET_BYTES = 16;
        /**
         * The default frame payload, 256 KiB: a frame, its copy and the range it is added to stay in a
         * core's L2 cache, and a loopback socket takes a frame in one write. Over loopback on 2 cores,
         * 16 MB all-reduces with 1 MiB frames took 3 to 5 times longer (trainer-bench's README).
         */
        public static final int DEFAULT_CHUNK_BYTES = 256 << 10;
        private static final char[] HEX = "0123456789abcdef".toCharArray();
        private static final SecureRandom RANDOM = new SecureRandom();

        private final String bindAddress;
        private final int port;
        private final String advertisedHost;
        private final byte[] secret;
        private final String jobId;
        private final Duration timeout;
        private final Duration handshakeTimeout;
        private final int chunkBytes;
        private final boolean sharedMemory;

        private Options(String bindAddress, int port, String advertisedHost, byte[] secret, String jobId,
                Duration timeout, Duration handshakeTimeout, int chunkBytes, boolean sharedMemory) {
            this.bindAddress = bindAddress;
            this.port = port;
            this.advertisedHost = advertisedHost;
            this.secret = secret;
            this.jobId = jobId;
            this.timeout = timeout;
            this.handshakeTimeout = handshakeTimeout;
            this.chunkBytes = chunkBytes;
            this.sharedMemory = sharedMemory;
        }

        /**
         * Loopback 127.0.0.1, an ephemeral port, advertised as the bind address, no secret, job id
         * "trainer", a 5-minute timeout, a 10-second handshake timeout, 256 KiB frames, shared memory
         * between ranks on one machine.
         *
         * @return the defaults
         */
        public static Options defaults() {
            return new Options("127.0.0.1", 0, null, null, "trainer", Duration.ofMinutes(5), Duration.ofSeconds(10),
                    DEFAULT_CHUNK_BYTES, true);
        }

        /**
         * The address to listen on, and only on it (a host name or literal; "0.0.0.0" for every interface).
         *
         * @param bindAddress the address
         * @return the changed options
         */
        public Options withBindAddress(String bindAddress) {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (bindAddress.isBlank()) {
                throw new IllegalArgumentException("Options.withBindAddress: bindAddress must be a host, got \""
                        + bindAddress + "\"");
            }
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, handshakeTimeout,
                    chunkBytes, sharedMemory);
        }

        /**
         * The port to listen on, 0 for one the system picks.
         *
         * @param port the port, in [0, 65535]
         * @return the changed options
         */
        public Options withPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Options.withPort: port must be in [0, 65535], got " + port);
            }
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, handshakeTimeout,
                    chunkBytes, sharedMemory);
        }

        /**
         * The host the other ranks dial to reach this one (by default the bind address).
         *
         * @param host a host name or address (IPv6 in brackets)
         * @return the changed options
         */
        public Options withAdvertisedHost(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank() || host.indexOf(':') >= 0 && !host.startsWith("[")) {
                throw new IllegalArgumentException("Options.withAdvertisedHost: host must be a name or address"
                        + " (IPv6 in brackets), got \"" + host + "\"");
            }
            return new Options(bindAddress, port, host, secret, jobId, timeout, handshakeTimeout, chunkBytes,
                    sharedMemory);
        }

        /**
         * The job's shared secret (copied): only processes that hold it can join. Generate it with
         * {@link #newSecret()} where the job is launched and hand it to every rank (for example hex-encoded
         * in an environment variable).
         *
         * @param secret the secret
         * @return the changed options
         * @throws IllegalArgumentException if it is shorter than {@link #MIN_SECRET_BYTES}
         */
        public Options withSecret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("Options.withSecret: secret must be at least " + MIN_SECRET_BYTES
                        + " bytes, got " + secret.length);
            }
            return new Options(bindAddress, port, advertisedHost, secret.clone(), jobId, timeout, handshakeTimeout,
                    chunkBytes, sharedMemory);
        }

        /**
         * The job's id, part of every handshake: ranks of different jobs sharing a secret still refuse each
         * other. At most 256 bytes of UTF-8.
         *
         * @param jobId the id
         * @return the changed options
         */
        public Options withJobId(String jobId) {
            Objects.requireNonNull(jobId, "jobId");
            int n = jobId.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > Handshake.MAX_JOB_ID) {
                throw new IllegalArgumentException("Options.withJobId: jobId must be 1 to " + Handshake.MAX_JOB_ID
                        + " bytes of UTF-8, got " + n);
            }
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, handshakeTimeout,
                    chunkBytes, sharedMemory);
        }

        /**
         * The longest any operation (and connecting) waits for a peer before failing and naming it.
         *
         * @param timeout the timeout, positive
         * @return the changed options
         */
        public Options withTimeout(Duration timeout) {
            return new Options(bindAddress, port, advertisedHost, secret, jobId, positive("withTimeout", "timeout",
                    timeout), handshakeTimeout, chunkBytes, sharedMemory);
        }

        /**
         * How long a connecting process may take to authenticate before it is refused.
         *
         * @param handshakeTimeout the timeout, positive
         * @return the changed options
         */
        public Options withHandshakeTimeout(Duration handshakeTimeout) {
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, positive(
                    "withHandshakeTimeout", "handshakeTimeout", handshakeTimeout), chunkBytes, sharedMemory);
        }

        /**
         * The largest frame payload: operations are split into frames of this many bytes, forwarded along
         * the ring as soon as each arrives. A multiple of 8 in [64, 64 MiB]; every rank must use the same.
         *
         * @param chunkBytes the frame size in bytes
         * @return the changed options
         */
        public Options withChunkBytes(int chunkBytes) {
            if (chunkBytes < 64 || chunkBytes > 64 << 20 || chunkBytes % 8 != 0) {
                throw new IllegalArgumentException("Options.withChunkBytes: chunkBytes must be a multiple of 8 in"
                        + " [64, " + (64 << 20) + "], got " + chunkBytes);
            }
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, handshakeTimeout,
                    chunkBytes, sharedMemory);
        }

        /**
         * Whether ranks that find themselves on one machine all-reduce through shared memory instead of
         * their sockets (see the class comment); the other operations always use the sockets. The
         * ranks use it only if every rank allows it, so a mixed setting falls back to TCP.
         *
         * @param sharedMemory whether to allow it
         * @return the changed options
         */
        public Options withSharedMemory(boolean sharedMemory) {
            return new Options(bindAddress, port, advertisedHost, secret, jobId, timeout, handshakeTimeout, chunkBytes,
                    sharedMemory);
        }

        /**
         * Whether ranks on one machine may all-reduce through shared memory.
         *
         * @return whether it is allowed
         */
        public boolean sharedMemory() {
            return sharedMemory;
        }

        /**
         * The address to listen on.
         *
         * @return the address
         */
        public String bindAddress() {
            return bindAddress;
        }

        /**
         * The port to listen on, 0 for one the system picks.
         *
         * @return the port
         */
        public int port() {
            return port;
        }

        /**
         * The host the other ranks dial to reach this one (the bind address unless set).
         *
         * @return the host
         */
        public String advertisedHost() {
            return advertisedHost != null ? advertisedHost : bindAddress;
        }

        /**
         * Whether a secret was set (the secret itself is not handed out).
         *
         * @return whether a secret is set
         */
        public boolean hasSecret() {
            return secret != null;
        }

        /**
         * The job's id, part of every handshake.
         *
         * @return the id
         */
        public String jobId() {
            return jobId;
        }

        /**
         * The longest any operation (and connecting) waits for a peer before failing.
         *
         * @return the timeout
         */
        public Duration timeout() {
            return timeout;
        }

        /**
         * How long a connecting process may take to authenticate before it is refused.
         *
         * @return the timeout
         */
        public Duration handshakeTimeout() {
            return handshakeTimeout;
        }

        /**
         * The largest frame payload in bytes.
         *
         * @return the frame size
         */
        public int chunkBytes() {
            return chunkBytes;
        }

        /**
         * 32 bytes from a {@link SecureRandom}: a fresh job secret.
         *
         * @return the secret
         */
        public static byte[] newSecret() {
            byte[] s = new byte[32];
            RANDOM.nextBytes(s);
            return s;
        }

        /**
         * Lower-case hexadecimal, two digits per byte.
         *
         * @param bytes the bytes
         * @return the text
         */
        public static String toHex(byte[] bytes) {
            char[] out = new char[bytes.length * 2];
            for (int i = 0; i < bytes.length; i++) {
                out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
                out[2 * i + 1] = HEX[bytes[i] & 0xf];
            }
            return new String(out);
        }

        /**
         * The bytes of {@link #toHex(byte[])}'s text (either case).
         *
         * @param hex the text
         * @return the bytes
         * @throws IllegalArgumentException naming the first character that is not a hex digit, or an odd length
         */
        public static byte[] fromHex(String hex) {
            Objects.requireNonNull(hex, "hex");
            if (hex.length() % 2 != 0) {
                throw new IllegalArgumentException("Options.fromHex: hex must have an even number of digits, got "
                        + hex.length());
            }
            byte[] out = new byte[hex.length() / 2];
            for (int i = 0; i < hex.length(); i++) {
                int d = Character.digit(hex.charAt(i), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("Options.fromHex: hex must hold only hex digits, got '"
                            + hex.charAt(i) + "' at index " + i);
                }
                out[i / 2] |= (byte) (i % 2 == 0 ? d << 4 : d);
            }
            return out;
        }

        private static Duration positive(String method, String argument, Duration d) {
            Objects.requireNonNull(d, argument);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("Options." + method + ": " + argument + " must be positive, got " + d);
            }
            return d;
        }

        /** The secret is never shown. */
        @Override
        public String toString() {
            return "Options(bind " + bindAddress + ":" + port + ", advertised " + advertisedHost() + ", job " + jobId
                    + ", secret " + (secret == null ? "none" : "set") + ", timeout " + timeout + ", handshake "
                    + handshakeTimeout + ", chunk " + chunkBytes + " bytes, shared memory " + (sharedMemory ? "allowed" : "off")
                    + ")";
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Refusing or shutting down: nothing more to do with a socket that will not close cleanly.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("TcpCollective: interrupted while connecting", e);
        }
    }
}
