package org.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * Moves the elements of one array (float32, float64 or bytes) into and out of frame payloads,
 * little-endian: the frame's payload starts after {@link Connection#HEADER}, a received payload at
 * index 0 of its buffer. One small wrapper per operation, around the caller's array and the
 * collective's reused scratch array.
 */
abstract class FrameElements {
    final int dtype;
    final int bytes;

    FrameElements(int dtype, int bytes) {
        this.dtype = dtype;
        this.bytes = bytes;
    }

    /** Writes elements [at, at + n) after the header in frame buffer b. */
    final void put(ByteBuffer b, int at, int n) {
        write(b, Connection.HEADER, at, n);
    }

    /** Adds the payload's n elements to elements [at, at + n). */
    final void add(ByteBuffer payload, int at, int n) {
        add(payload, 0, at, n);
    }

    /** Copies the payload's n elements to [at, at + n). */
    final void get(ByteBuffer payload, int at, int n) {
        read(payload, 0, at, n);
    }

    /** Writes elements [at, at + n) into b from byte {@code position} on. */
    abstract void write(ByteBuffer b, int position, int at, int n);

    /** Adds the n elements stored in b from byte {@code position} on to elements [at, at + n). */
    void add(ByteBuffer b, int position, int at, int n) {
        throw new UnsupportedOperationException("add on " + TcpCollective.dtypeName(dtype));
    }

    /** Copies the n elements stored in b from byte {@code position} on to elements [at, at + n). */
    abstract void read(ByteBuffer b, int position, int at, int n);

    void divide(int at, int n, int divisor) {
        throw new UnsupportedOperationException("divide on " + TcpCollective.dtypeName(dtype));
    }

    static final class Floats extends FrameElements {
        private final float[] a;
        private final float[] scratch;

        /** @param scratch at least as long as a frame's elements; overwritten by {@link #add} */
        Floats(float[] a, float[] scratch) {
            super(TcpCollective.FLOAT32, Float.BYTES);
            this.a = a;
            this.scratch = scratch;
        }

        @Override
        void write(ByteBuffer b, int position, int at, int n) {
            b.position(position);
            b.asFloatBuffer().put(a, at, n);
        }

        @Override
        void add(ByteBuffer b, int position, int at, int n) {
            // A bulk copy then a loop over two arrays (which the JIT vectorizes) beats reading the frame
            // element by element.
            b.position(position);
            b.asFloatBuffer().get(scratch, 0, n);
            float[] x = scratch;
            for (int i = 0; i < n; i++) {
                a[at + i] += x[i];
            }
        }

        @Override
        void read(ByteBuffer b, int position, int at, int n) {
            b.position(position);
            b.asFloatBuffer().get(a, at, n);
        }

        @Override
        void divide(int at, int n, int divisor) {
            for (int i = at; i < at + n; i++) {
                a[i] /= divisor;
            }
        }
    }

    static final class Doubles extends FrameElements {
        private final double[] a;
        private final double[] scratch;

        /** @param scratch at least as long as a frame's elements; overwritten by {@link #add} */
        Doubles(double[] a, double[] scratch) {
            super(TcpCollective.FLOAT64, Double.BYTES);
            this.a = a;
            this.scratch = scratch;
        }

        @Override
        void write(ByteBuffer b, int position, int at, int n) {
            b.position(position);
            b.asDoubleBuffer().put(a, at, n);
        }

        @Override
        void add(ByteBuffer b, int position, int at, int n) {
            b.position(position);
            b.asDoubleBuffer().get(scratch, 0, n);
            double[] x = scratch;
            for (int i = 0; i < n; i++) {
                a[at + i] += x[i];
            }
        }

        @Override
        void read(ByteBuffer b, int position, int at, int n) {
            b.position(position);
            b.asDoubleBuffer().get(a, at, n);
        }

        @Override
        void divide(int at, int n, int divisor) {
            for (int i = at; i < at + n; i++) {
                a[i] /= divisor;
            }
        }
    }

    static final class Bytes extends FrameElements {
        private final byte[] a;

        Bytes(byte[] a) {
            super(TcpCollective.BYTES, 1);
            this.a = a;
        }

        @Override
        void write(ByteBuffer b, int position, int at, int n) {
            b.put(position, a, at, n);
        }

        @Override
        void read(ByteBuffer b, int position, int at, int n) {
            b.get(position, a, at, n);
        }
    }
}
