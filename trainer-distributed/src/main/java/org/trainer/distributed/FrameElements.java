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
    abstract void put(ByteBuffer b, int at, int n);

    /** Adds the payload's n elements to elements [at, at + n). */
    void add(ByteBuffer payload, int at, int n) {
        throw new UnsupportedOperationException("add on " + TcpCollective.dtypeName(dtype));
    }

    /** Copies the payload's n elements to [at, at + n). */
    abstract void get(ByteBuffer payload, int at, int n);

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
        void put(ByteBuffer b, int at, int n) {
            b.position(Connection.HEADER);
            b.asFloatBuffer().put(a, at, n);
        }

        @Override
        void add(ByteBuffer payload, int at, int n) {
            // A bulk copy then a loop over two arrays (which the JIT vectorizes) beats reading the frame
            // element by element.
            payload.position(0);
            payload.asFloatBuffer().get(scratch, 0, n);
            float[] x = scratch;
            for (int i = 0; i < n; i++) {
                a[at + i] += x[i];
            }
        }

        @Override
        void get(ByteBuffer payload, int at, int n) {
            payload.position(0);
            payload.asFloatBuffer().get(a, at, n);
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
        void put(ByteBuffer b, int at, int n) {
            b.position(Connection.HEADER);
            b.asDoubleBuffer().put(a, at, n);
        }

        @Override
        void add(ByteBuffer payload, int at, int n) {
            payload.position(0);
            payload.asDoubleBuffer().get(scratch, 0, n);
            double[] x = scratch;
            for (int i = 0; i < n; i++) {
                a[at + i] += x[i];
            }
        }

        @Override
        void get(ByteBuffer payload, int at, int n) {
            payload.position(0);
            payload.asDoubleBuffer().get(a, at, n);
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
        void put(ByteBuffer b, int at, int n) {
            b.position(Connection.HEADER);
            b.put(a, at, n);
        }

        @Override
        void get(ByteBuffer payload, int at, int n) {
            payload.get(0, a, at, n);
        }
    }
}
