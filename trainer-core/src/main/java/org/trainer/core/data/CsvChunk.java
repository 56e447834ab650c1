package org.trainer.core.data;

/**
 * A run of whole lines of one CSV source, cut by {@link CsvParallelReader} for a worker to parse:
 * {@code bytes[0, length)} start at byte {@code byteOffset} of the (decompressed) source. The first
 * chunk of a source also says how many lines before it the reader consumed itself (a header).
 */
record CsvChunk(int source, String name, byte[] bytes, int length, long byteOffset, boolean firstOfSource,
                long linesBefore, long newlinesBefore) {
}
