package org.trainer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code peer/peers.py} (and our own harness mains in child JVMs) and reads what it prints: one flat JSON object per line, whose fields
 * are strings, numbers, booleans or null. A regular expression is enough for that, which keeps a
 * JSON library out of trainer-bench.
 */
final class PeerProcess {
    /** {@code "key": value}, the value a string (escapes: only \" and \\) or a bare token. */
    private static final Pattern FIELD =
            Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,}\\s]+))");

    /** Debian's libopenblas0-openmp, whose libblas.so.3 numpy and torch should load. */
    private static final Path OPENMP_OPENBLAS = Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp");

    private PeerProcess() {
    }

    /** One line of the script's output, as field name -> text of the value. */
    record Line(Map<String, String> fields) {
        String get(String key) {
            String v = fields.get(key);
            if (v == null) {
                throw new IllegalStateException("peers.py: line has no field '" + key + "': " + fields);
            }
            return v;
        }

        double number(String key) {
            return Double.parseDouble(get(key));
        }
    }

    /**
     * Runs the script with the given arguments and returns its lines. The peers get a clean BLAS
     * environment: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed so that OpenBLAS picks its
     * kernel for this CPU itself, and OMP_WAIT_POLICY=PASSIVE stops idle OpenMP threads from
     * spinning on the core that the next measurement needs; GLIBC_TUNABLES keeps freed memory
     * (unless --default-malloc is passed on). When Debian's OpenMP build of OpenBLAS
     * is installed, its directory goes first on LD_LIBRARY_PATH: which build libblas.so.3 resolves
     * to otherwise depends on the system's alternatives, which installing another OpenBLAS package
     * silently changes. Only the child process sees any of this.
     */
    static List<Line> run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        peerEnvironment(pb, !command.contains("--default-malloc"));
        return lines(pb, "peers.py");
    }

    /**
     * Gives a peer process the clean BLAS environment described at {@link #run}.
     *
     * @param pb the peer's process builder
     * @param keepFreedMemory whether glibc keeps freed memory (GLIBC_TUNABLES)
     */
    static void peerEnvironment(ProcessBuilder pb, boolean keepFreedMemory) {
        Map<String, String> env = pb.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        if (keepFreedMemory) {
            // The same as the script's mallopt calls, but from the first allocation of the process on.
            env.put("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296");
        }
        if (Files.isDirectory(OPENMP_OPENBLAS)) {
            String old = env.get("LD_LIBRARY_PATH");
            env.put("LD_LIBRARY_PATH", OPENMP_OPENBLAS + (old == null || old.isEmpty() ? "" : ":" + old));
        }
    }

    /**
     * Runs one of our own harness mains ({@code command} is a whole java command line) in a child
     * JVM with this process's environment, and returns the JSON lines it prints.
     */
    static List<Line> runOurs(List<String> command) throws IOException, InterruptedException {
        return lines(new ProcessBuilder(command), "java");
    }

    /** Starts the process, collects the lines of its standard output that are JSON objects, and checks its exit status. */
    private static List<Line> lines(ProcessBuilder pb, String name) throws IOException, InterruptedException {
        // The child's errors (a missing torch, say) go straight to our console.
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = pb.start();
        List<Line> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String text;
            while ((text = out.readLine()) != null) {
                if (text.startsWith("{")) {
                    lines.add(parse(text));
                }
            }
        }
        int rc = process.waitFor();
        if (rc != 0) {
            throw new IOException(name + ": " + String.join(" ", pb.command()) + " exited with status " + rc);
        }
        return lines;
    }

    static Line parse(String json) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2).replace("\\\"", "\"").replace("\\\\", "\\") : m.group(3);
            fields.put(m.group(1), value);
        }
        return new Line(fields);
    }
}
