package org.trainer.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Plain English text for the sequence examples: the licence texts that every Debian system installs
 * in /usr/share/common-licenses (package base-files; about 270 kB: GPL, LGPL, GFDL, Apache, MPL,
 * Artistic, BSD, CC0), or the plain-text files of another folder. Each regular file is read as UTF-8
 * in name order; links (GPL -> GPL-3, ...) are skipped so that no text is read twice.
 *
 * @param names the files' names, in order
 * @param texts the files' contents, in the same order
 */
record TextCorpus(List<String> names, List<String> texts) {
    static final Path DEBIAN_LICENSES = Path.of("/usr/share/common-licenses");

    /** The corpus in {@code args[0]} if given, else Debian's licence texts; exits with a hint when absent. */
    static TextCorpus fromArgs(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : DEBIAN_LICENSES;
        if (!Files.isDirectory(dir)) {
            System.err.println("no corpus folder " + dir + ": on Debian it comes with the base-files package; "
                    + "elsewhere pass a folder of plain-text files as the first argument");
            System.exit(2);
        }
        return read(dir);
    }

    static TextCorpus read(Path dir) {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the corpus in " + dir, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("TextCorpus: no regular files in " + dir);
        }
        return new TextCorpus(new ArrayList<>(files.keySet()), new ArrayList<>(files.values()));
    }

    /** Every file's text, in order, as one stream. */
    String joined() {
        return String.join("", texts);
    }
}
