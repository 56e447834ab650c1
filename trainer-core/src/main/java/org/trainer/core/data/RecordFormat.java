package org.trainer.core.data;

import java.io.IOException;

/**
 * A record decoder bound to its sources: what a {@link StreamingLoader} reads. Each
 * {@link #open()} starts a new pass from the first record, so every epoch re-reads the sources;
 * nothing is kept in memory between passes. Implementations: {@link CsvRecords},
 * {@link BinaryRecords}, {@link IdxRecords}; a custom format implements {@link RecordReader}.
 */
public interface RecordFormat {

    /**
     * A new pass over every record, from the first; the caller closes it.
     *
     * @return the reader
     * @throws IOException if a source cannot be opened
     */
    RecordReader open() throws IOException;

    /**
     * A new pass over the records of epoch {@code epoch}; the caller closes it. The library's
     * formats hand the epoch to their {@link RecordSource}s (per-epoch pipes); a format whose
     * records do not depend on the epoch reads them as {@link #open()} does.
     */
    default RecordReader open(int epoch) throws IOException {
        return open();
    }

    /**
     * The number of records of a pass when the format knows it without reading the data (an IDX
     * header states it), else -1. A {@link StreamingLoader} asks only when its builder was given
     * no count.
     *
     * @return the number of records, or -1
     * @throws java.io.UncheckedIOException if reading what states the count fails
     */
    default long recordCount() {
        return -1;
    }

    /**
     * Every record of one pass, in source order, as an in-memory dataset ("file mode"): features
     * [N, ...featureShape], targets [N, ...targetShape] of the reader's target type. Errors are the
     * reader's.
     *
     * @return the dataset
     * @throws IllegalArgumentException if the records do not fit in one tensor
     * @throws IOException if a source cannot be read
     */
    default TensorDataset readAll() throws IOException {
        return AllRecords.read(this);
    }
}
