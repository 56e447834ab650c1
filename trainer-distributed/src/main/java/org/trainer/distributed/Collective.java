package org.trainer.distributed;

/**
 * Communication among the ranks of one distributed job: the operations data-parallel and
 * pipeline-parallel training need, whatever carries them (threads of one JVM, or processes and
 * machines over TCP).
 *
 * <p>Every rank of the group calls the same collective operations in the same order, each with
 * arrays of the same length (and, for {@link #broadcast}, the same root); a rank that disagrees is
 * refused with a {@link CollectiveException} that names both sides, never a wrong sum or a hang.
 * Results are bitwise identical on every rank: the reduction order is fixed by the implementation,
 * not by timing, so replicas that start equal and apply equal updates stay equal.
 *
 * <p>A rank that dies or stops answering makes the operations of the others fail within the
 * group's timeout with a {@link CollectiveException} naming the lost rank. After such a failure the
 * group is unusable: close it and start the job again.
 *
 * <p>One thread at a time drives a rank's collective (data-parallel training issues its bucket
 * reductions from one communication thread, in bucket order).
 */
public interface Collective extends AutoCloseable {

    /**
     * This process's (or thread's) rank, 0 to {@link #worldSize()} - 1.
     *
     * @return the rank
     */
    int rank();

    /**
     * The number of ranks in the group.
     *
     * @return the world size
     */
    int worldSize();

    /**
     * Combines {@code data[offset, offset + length)} element-wise across ranks, in place: afterwards
     * every rank holds the same sum (or mean) there.
     *
     * @param data the values, overwritten with the result
     * @param offset the first element
     * @param length the number of elements, the same on every rank
     * @param op SUM or MEAN
     * @throws CollectiveException if a rank is lost, times out, or passed another length
     */
    void allReduce(float[] data, int offset, int length, ReduceOp op);

    /**
     * {@link #allReduce(float[], int, int, ReduceOp)} in float64.
     *
     * @param data the values, overwritten with the result
     * @param offset the first element
     * @param length the number of elements, the same on every rank
     * @param op SUM or MEAN
     */
    void allReduce(double[] data, int offset, int length, ReduceOp op);

    /**
     * Sends {@code data[offset, offset + length)} of rank {@code root} to every other rank, in place.
     *
     * @param data the values: read on the root, overwritten elsewhere
     * @param offset the first element
     * @param length the number of elements
     * @param root the sending rank
     */
    void broadcast(float[] data, int offset, int length, int root);

    /**
     * {@link #broadcast(float[], int, int, int)} in float64.
     *
     * @param data the values: read on the root, overwritten elsewhere
     * @param offset the first element
     * @param length the number of elements
     * @param root the sending rank
     */
    void broadcast(double[] data, int offset, int length, int root);

    /**
     * Every rank's bytes, by rank: element r of the result is what rank r passed (lengths may
     * differ between ranks). Used to agree on small facts (shapes, checkpoint names, results).
     *
     * @param local this rank's bytes
     * @return every rank's bytes
     */
    byte[][] allGather(byte[] local);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Sends {@code data[offset, offset + length)} to rank {@code dst}, which must receive it with a
     * {@link #recv(int, float[], int, int)} of the same length: point-to-point transfer for pipeline
     * stages. May return before the receiver has taken the data.
     *
     * @param dst the receiving rank
     * @param data the values
     * @param offset the first element
     * @param length the number of elements
     */
    void send(int dst, float[] data, int offset, int length);

    /**
     * {@link #send(int, float[], int, int)} in float64.
     *
     * @param dst the receiving rank
     * @param data the values
     * @param offset the first element
     * @param length the number of elements
     */
    void send(int dst, double[] data, int offset, int length);

    /**
     * Receives into {@code data[offset, offset + length)} what rank {@code src} sent with a
     * {@link #send} of the same dtype and length.
     *
     * @param src the sending rank
     * @param data receives the values
     * @param offset the first element
     * @param length the number of elements
     * @throws CollectiveException if the sender is lost or sent another dtype or length
     */
    void recv(int src, float[] data, int offset, int length);

    /**
     * {@link #recv(int, float[], int, int)} in float64.
     *
     * @param src the sending rank
     * @param data receives the values
     * @param offset the first element
     * @param length the number of elements
     */
    void recv(int src, double[] data, int offset, int length);

    /**
     * Fails the group with {@code reason}, which the other ranks' current or next operation reports
     * (e.g. "rank 1 failed: ..."), and closes this rank's collective: what a rank does when its own
     * work fails, so that the others stop at once and say why. The default only closes.
     *
     * @param reason why this rank failed
     */
    default void abort(String reason) {
        close();
    }

    /** Releases the group's threads, sockets and buffers; further calls fail. */
    @Override
    void close();
}
