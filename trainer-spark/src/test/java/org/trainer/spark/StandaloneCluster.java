package org.trainer.spark;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * A Spark standalone cluster on the loopback address, made of child JVMs: one Master and
 * {@code workers} Workers, started from the Spark jars of this JVM's class path, as an
 * installation would start them (sbin/start-master.sh, sbin/start-worker.sh).
 *
 * <p>The installation ({@code SPARK_HOME}) is a temporary directory whose {@code jars/} holds links
 * to every jar of this class path except the trainer's own: Spark and the libraries it and the
 * tests need, as a cluster's installation provides them. The trainer's classes (module jars, or
 * class directories packed into jars) are what an application ships with {@code --jars}:
 * {@link #applicationJars()}. The Worker builds each executor's command from that {@code SPARK_HOME}
 * (spark-launcher's WorkerCommandBuilder), so the executors are JVMs of their own, started by the
 * Worker. The daemons end with the JVM that started them ({@link DiesWithParent}), and
 * {@link #close()} kills them.
 */
final class StandaloneCluster implements AutoCloseable {
    /** A module's jar as Maven names it: artifact, version, and "-tests" for its test jar. */
    private static final Pattern MODULE_JAR = Pattern.compile("(trainer-[a-z]+)-\\d[^/]*?(-tests)?\\.jar");
    private final Path home;
    private final int port;
    private final List<Process> daemons = new ArrayList<>();
    private final List<String> applicationJars = new ArrayList<>();
    /** The trainer's jars by module, "trainer-core" for its classes, "trainer-core:tests" for its test classes. */
    private final Map<String, Path> moduleJars = new LinkedHashMap<>();

    private final List<String> daemonOptions;

    private StandaloneCluster(Path home, int port, List<String> daemonOptions) {
        this.home = home;
        this.port = port;
        this.daemonOptions = daemonOptions;
    }

    /**
     * Starts a Master and {@code workers} Workers of {@code cores} cores and {@code memory} (e.g.
     * "1g") each, with the JVM flags Spark needs on Java 17 and {@code daemonOptions} (e.g. the
     * cluster's {@code -Dspark.authenticate.secret}), and waits until the Master accepts
     * connections (the Workers register on their own; a job waits for their slots).
     */
    static StandaloneCluster start(Path dir, int workers, int cores, String memory, String... daemonOptions)
            throws IOException {
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        StandaloneCluster cluster = new StandaloneCluster(home, freePort(), List.of(daemonOptions));
        try {
            cluster.install();
            cluster.daemons.add(cluster.daemon("master", "org.apache.spark.deploy.master.Master", "--host",
                    "127.0.0.1", "--port", Integer.toString(cluster.port), "--webui-port", "0"));
            cluster.awaitMaster(TimeUnit.SECONDS.toNanos(60));
            for (int w = 0; w < workers; w++) {
                cluster.daemons.add(cluster.daemon("worker-" + w, "org.apache.spark.deploy.worker.Worker",
                        cluster.url(), "--host", "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory,
                        "--webui-port", "0", "--work-dir", Files.createDirectories(home.resolve("work-" + w)).toString()));
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The master URL, {@code spark://127.0.0.1:<port>}. */
    String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** The trainer's classes as jars, comma-separated, for {@code spark.jars} (spark-submit's --jars). */
    String applicationJars() {
        return String.join(",", applicationJars);
    }

    /**
     * The jar of one trainer module's classes ({@code "trainer-core"}) or test classes
     * ({@code "trainer-distributed:tests"}), as the build made it or as packed here from its class
     * directory.
     */
    Path moduleJar(String module) {
        Path jar = moduleJars.get(module);
        if (jar == null) {
            throw new IllegalArgumentException("StandaloneCluster.moduleJar: no module " + module
                    + " on the test class path, expected one of " + moduleJars.keySet());
        }
        return jar;
    }

    /** A third-party jar of the test class path whose file name starts with {@code prefix} (e.g. "commons-csv-"). */
    static Path classPathJar(String prefix) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".jar")) {
                return p;
            }
        }
        throw new IllegalArgumentException("StandaloneCluster.classPathJar: no jar named " + prefix
                + "* on the test class path");
    }

    /**
     * Packs the classes of {@code modules} (names as {@link #moduleJar} takes them) into one
     * application jar under the installation, as an application's build packs its own code; the
     * first module's copy of a class wins.
     */
    Path applicationJar(String name, String... modules) throws IOException {
        Path jar = home.resolve("app").resolve(name);
        Set<String> written = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String module : modules) {
                try (JarFile in = new JarFile(moduleJar(module).toFile())) {
                    for (var e : (Iterable<java.util.jar.JarEntry>) in.stream()::iterator) {
                        if (!e.isDirectory() && !e.getName().equals(JarFile.MANIFEST_NAME) && written.add(e.getName())) {
                            out.putNextEntry(new ZipEntry(e.getName()));
                            in.getInputStream(e).transferTo(out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        return jar;
    }

    /**
     * Runs Spark's {@code bin/spark-submit} with {@code args} against this installation, as the
     * script does it: spark-launcher's {@code org.apache.spark.launcher.Main} builds the driver's
     * command ({@code java} with the installation's jars, the driver's memory and
     * {@code --driver-java-options}, Spark's Java 17 module options, then
     * {@code org.apache.spark.deploy.SparkSubmit args}), and that command runs in a JVM of its own,
     * its output (stdout and stderr) going to {@code log}. The caller waits for it and destroys it.
     */
    Process submit(Path log, List<String> args) throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>(List.of(java(), "-Xmx128m", "-cp",
                classPathJar("spark-launcher_").toString(), "org.apache.spark.launcher.Main",
                "org.apache.spark.deploy.SparkSubmit"));
        launcher.addAll(args);
        ProcessBuilder build = sparkEnvironment(new ProcessBuilder(launcher))
                .redirectError(home.resolve("launcher.log").toFile());
        Process p = build.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("StandaloneCluster.submit: spark-launcher failed (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "): " + Files.readString(home.resolve("launcher.log")));
        }
        // As bin/spark-class reads it: lines to show until a line holding a NUL alone, then the command's
        // words, each ended by a NUL.
        String printed = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        int start = printed.indexOf("\0\n");
        if (start < 0) {
            throw new IOException("StandaloneCluster.submit: spark-launcher printed no command: " + printed);
        }
        List<String> command = Arrays.stream(printed.substring(start + 2).split("\0"))
                .filter(w -> !w.isEmpty()).collect(Collectors.toList());
        Files.write(home.resolve("spark-submit.command"), command);
        return sparkEnvironment(new ProcessBuilder(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** What the daemons and the executors they started wrote (for a failing test's message). */
    String logs() {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log") || f.endsWith("stderr"))::iterator) {
                List<String> lines = Files.readAllLines(p);
                out.append("\n--- ").append(home.relativize(p)).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("\n(could not read the logs: ").append(e).append(')');
        }
        return out.toString();
    }

    /** Links the class path's third-party jars into jars/; packs the trainer's classes as application jars. */
    private void install() throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Path app = Files.createDirectories(home.resolve("app"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(p)) {
                Path jar = pack(p, app.resolve(moduleName(p) + "-" + p.getFileName() + ".jar"));
                applicationJars.add(jar.toString());
                moduleJars.put(moduleName(p) + (p.getFileName().toString().equals("test-classes") ? ":tests" : ""), jar);
            } else if (p.getFileName().toString().startsWith("trainer-")) {
                applicationJars.add(p.toString());
                Matcher m = MODULE_JAR.matcher(p.getFileName().toString());
                if (m.matches()) {
                    moduleJars.put(m.group(1) + (m.group(2) != null ? ":tests" : ""), p);
                }
            } else if (p.toString().endsWith(".jar") && Files.isRegularFile(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
    }

    /** The module a class directory belongs to: the folder above its target/. */
    private static String moduleName(Path classes) {
        Path target = classes.getParent();
        return target != null && target.getParent() != null ? target.getParent().getFileName().toString() : "classes";
    }

    private static Path pack(Path dir, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                out.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A daemon JVM on this class path, with the Java 17 flags of this JVM's build and Spark's environment. */
    private Process daemon(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m"));
        String flags = System.getProperty("trainer.test.jvmFlags");
        if (flags == null || !flags.contains("--add-opens")) {
            throw new IllegalStateException("StandaloneCluster: the build must pass Spark's Java 17 flags as the system"
                    + " property trainer.test.jvmFlags, got " + flags);
        }
        command.addAll(Arrays.asList(flags.strip().split("\\s+")));
        command.addAll(daemonOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DiesWithParent.class.getName(),
                Long.toString(ProcessHandle.current().pid()), mainClass));
        command.addAll(Arrays.asList(args));
        return sparkEnvironment(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile()).start();
    }

    private static String java() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** The environment Spark's scripts give its JVMs: this installation, on the loopback address. */
    private ProcessBuilder sparkEnvironment(ProcessBuilder pb) {
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    private void awaitMaster(long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                if (!daemons.get(0).isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IOException("StandaloneCluster: the master did not listen on port " + port + logs());
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("StandaloneCluster: interrupted while waiting for the master", e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Kills the Workers (which kill their executors in their shutdown hook) and then the Master. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.destroy();
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
