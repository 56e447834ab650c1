package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;

/** The text examples' pieces: corpus reading, the character vocabulary, the baseline, padding. */
class TextExamplesTest {

    @Test
    void corpusReadsRegularFilesInNameOrderAndSkipsLinks(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b"), "second");
        Files.writeString(dir.resolve("a"), "first ");
        Files.createSymbolicLink(dir.resolve("c"), dir.resolve("a"));
        TextCorpus corpus = TextCorpus.read(dir);
        assertEquals(List.of("a", "b"), corpus.names());
        assertEquals("first second", corpus.joined());
    }

    @Test
    void vocabularyIsTheSortedDistinctCharacters() {
        char[] v = CharLanguageModel.vocabulary("licence");
        assertArrayEquals(new char[] {'c', 'e', 'i', 'l', 'n'}, v);
        assertArrayEquals(new int[] {3, 2, 0, 1, 4, 0, 1}, CharLanguageModel.encode("licence", v));
    }

    @Test
    void unigramEntropyIsInBits() {
        assertEquals(1.0, CharLanguageModel.unigramEntropyBits(new int[] {0, 1, 1, 0}, 2), 1e-12);
        assertEquals(0.0, CharLanguageModel.unigramEntropyBits(new int[] {2, 2, 2}, 3), 1e-12);
        assertEquals(2.0, CharLanguageModel.unigramEntropyBits(new int[] {0, 1, 2, 3}, 5), 1e-12);
    }

    @Test
    void lineClassifierIgnoresPadding() {
        LineSourceClassifier.Model model = new LineSourceClassifier.Model(10, 4, 3);
        model.eval();
        Tensor narrow = Tensor.fromArray(new int[] {3, 4, 5, 0, 0, 0, 7, 8, 9, 1, 2, 3}, 2, 6);
        Tensor wide = Tensor.fromArray(new int[] {3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 7, 8, 9, 1, 2, 3, 0, 0, 0, 0}, 2, 10);
        assertArrayEquals(model.forward(narrow).toFloatArray(), model.forward(wide).toFloatArray(), 1e-6f);
    }
}
