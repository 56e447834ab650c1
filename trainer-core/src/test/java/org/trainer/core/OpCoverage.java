package org.trainer.core;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.trainer.core.OpRegistry.Op;
import org.trainer.core.OpRegistry.Suite;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.UnaryOp;
import org.trainer.core.loss.Loss;
import org.trainer.core.loss.RegularizedLoss;

/**
 * What must be checked, found by reflection, against what {@link OpRegistry} checks. The keys:
 * every {@code UnaryOp}, {@code BinaryOp} and {@code ReduceOp} constant (a backend kernel), every
 * public class of {@code org.trainer.core.ops}, every public {@code Tensor} method that makes a
 * tensor from tensors, every public {@code Loss}. Each key must be in the suites it belongs to:
 * a differentiable one in the gradient check, every one in the device conformance suite, the
 * kernels and losses in a PyTorch fixture.
 */
final class OpCoverage {
    private static final Set<Suite> ALL = EnumSet.allOf(Suite.class);
    private static final Set<Suite> NO_GRADIENT = EnumSet.of(Suite.CONFORMANCE, Suite.PYTORCH);
    private static final Set<Suite> CHECKED = EnumSet.of(Suite.GRADIENT, Suite.CONFORMANCE);

    /** Public Tensor methods that return a tensor but are not ops: factories, autograd plumbing, in-place copies. */
    static final Set<String> NOT_OPS = Set.of("wrap", "zeros", "ones", "full", "scalar", "arange", "fromArray", "rand",
            "randn", "random", "dropoutMask", "grad", "detach", "requiresGrad", "copyFrom");

    /** Public Tensor methods whose result has no gradient (comparisons, arg-reductions). */
    static final Set<String> NOT_DIFFERENTIABLE = Set.of("eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin");

    /** Losses that wrap another loss, checked with it (RegularizationTest). */
    static final Set<Class<?>> WRAPPERS = Set.of(RegularizedLoss.class);

    private OpCoverage() {
    }

    /** Each key that must be checked, with the suites it must be in. */
    static Map<String, Set<Suite>> required() {
        Map<String, Set<Suite>> r = new TreeMap<>();
        for (UnaryOp op : UnaryOp.values()) {
            r.put("UnaryOp." + op, ALL);
        }
        for (BinaryOp op : BinaryOp.values()) {
            r.put("BinaryOp." + op, isComparison(op) ? NO_GRADIENT : ALL);
        }
        for (ReduceOp op : ReduceOp.values()) {
            r.put("ReduceOp." + op, ALL);
        }
        for (Class<?> c : publicClasses("org.trainer.core.ops")) {
            boolean differentiable = org.trainer.core.Function.class.isAssignableFrom(c);
            r.put("ops." + c.getSimpleName(), differentiable ? CHECKED : EnumSet.of(Suite.CONFORMANCE));
        }
        for (Class<?> c : publicClasses("org.trainer.core.loss")) {
            if (Loss.class.isAssignableFrom(c) && !c.isInterface() && !WRAPPERS.contains(c)) {
                r.put("loss." + c.getSimpleName(), ALL);
            }
        }
        for (Method m : Tensor.class.getMethods()) {
            if (m.getReturnType() == Tensor.class && !NOT_OPS.contains(m.getName())) {
                r.put("Tensor." + m.getName(), NOT_DIFFERENTIABLE.contains(m.getName())
                        ? EnumSet.of(Suite.CONFORMANCE) : EnumSet.of(Suite.GRADIENT));
            }
        }
        return r;
    }

    /**
     * A comparison yields only 0 and 1, so it has no gradient. The probes give no arithmetic op
     * such values: a + b = 2.75 or 3, a * b = 0.625 or 2.25, ...
     */
    static boolean isComparison(BinaryOp op) {
        double[][] probes = {{0.25, 2.5}, {2.5, 0.25}, {1.5, 1.5}};
        for (double[] p : probes) {
            double v = op.apply(p[0], p[1]);
            if (v != 0 && v != 1) {
                return false;
            }
        }
        return true;
    }

    /** Each key the entries check, with the suites: their cases' suites, and PYTORCH where they have a fixture. */
    static Map<String, Set<Suite>> covered(Collection<Op> ops) {
        Map<String, Set<Suite>> c = new TreeMap<>();
        for (Op op : ops) {
            Set<Suite> suites = EnumSet.noneOf(Suite.class);
            op.cases().forEach(k -> suites.addAll(k.suites()));
            if (op.reference().exists()) {
                suites.add(Suite.PYTORCH);
            }
            for (String key : op.covers()) {
                c.computeIfAbsent(key, k -> EnumSet.noneOf(Suite.class)).addAll(suites);
            }
        }
        return c;
    }

    /**
     * One line per key short of a suite it must be in, e.g. {@code UnaryOp.ERF: no GRADIENT case,
     * no CONFORMANCE case, no PYTORCH reference}; empty when everything is checked.
     */
    static List<String> missing(Map<String, Set<Suite>> required, Collection<Op> ops) {
        Map<String, Set<Suite>> covered = covered(ops);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<Suite>> e : required.entrySet()) {
            List<String> lacks = new ArrayList<>();
            for (Suite s : e.getValue()) {
                if (!covered.getOrDefault(e.getKey(), Set.of()).contains(s)) {
                    lacks.add(s == Suite.PYTORCH ? "no PYTORCH reference" : "no " + s + " case");
                }
            }
            if (!lacks.isEmpty()) {
                out.add(e.getKey() + ": " + String.join(", ", lacks));
            }
        }
        return out;
    }

    /** The public top-level classes of a package of trainer-core, from its compiled classes. */
    static List<Class<?>> publicClasses(String pkg) {
        // Where Tensor was loaded from: trainer-core's classes, not the tests' folder of the same packages.
        URL root = Tensor.class.getProtectionDomain().getCodeSource().getLocation();
        String[] files;
        try {
            files = new File(new File(root.toURI()), pkg.replace('.', '/')).list();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
        if (files == null) {
            throw new AssertionError("package " + pkg + " is not a directory under " + root);
        }
        List<Class<?>> out = new ArrayList<>();
        for (String f : files) {
            if (f.endsWith(".class") && !f.contains("$") && !f.equals("package-info.class")) {
                try {
                    Class<?> c = Class.forName(pkg + "." + f.substring(0, f.length() - ".class".length()));
                    if (Modifier.isPublic(c.getModifiers())) {
                        out.add(c);
                    }
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }
}
