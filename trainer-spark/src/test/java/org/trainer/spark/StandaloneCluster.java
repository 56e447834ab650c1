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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
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
    private final Path home;
    private final int port;
    private final List<Process> daemons = new ArrayList<>();
    private final List<String> applicationJars = new ArrayList<>();

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
                applicationJars.add(pack(p, app.resolve(moduleName(p) + "-" + p.getFileName() + ".jar")).toString());
            } else if (p.getFileName().toString().startsWith("trainer-")) {
                applicationJars.add(p.toString());
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
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
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
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
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
