package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.trainer.core.OpRegistry.Case;
import org.trainer.core.OpRegistry.Op;
import org.trainer.core.OpRegistry.Reference;
import org.trainer.core.OpRegistry.Suite;

/**
 * The guard of {@link OpRegistry}: every kernel, op class, Tensor op method and loss has a case in
 * each suite it belongs to, every PyTorch fixture op has an entry and every entry's fixture has its
 * cases; and the guard itself fails, naming what is missing, on a registry with a hole.
 */
class OpRegistryTest {
    /** The fixtures of {@link Reference#fixture()}: its name to the resource and the field naming the op. */
    private static final Map<String, String[]> FIXTURES = Map.of(
            "ops", new String[] {"/reference/ops.json", "op"},
            "losses", new String[] {"/reference/losses/losses.json", "loss"});

    @Test
    void everyOpIsInEverySuiteItBelongsTo() {
        Map<String, Set<Suite>> required = OpCoverage.required();
        // The enumeration itself found what it should: a sanity floor, so an empty scan cannot pass.
        assertTrue(required.keySet().containsAll(List.of("UnaryOp.EXP", "BinaryOp.ADD", "ReduceOp.SUM", "ops.MatMul",
                "loss.CrossEntropyLoss", "Tensor.exp", "Tensor.conv2d")), "the scan missed known ops: " + required.keySet());
        assertEquals(EnumSet.of(Suite.CONFORMANCE, Suite.PYTORCH), required.get("BinaryOp.LT"),
                "a comparison has no gradient");
        List<String> missing = OpCoverage.missing(required, OpRegistry.ops());
        assertEquals(List.of(), missing, "ops short of a suite: add a case to their OpRegistry entry (or an entry)");
    }

    @Test
    void theGuardNamesWhatIsMissing() {
        Map<String, Set<Suite>> required = new TreeMap<>(Map.of(
                "UnaryOp.EXP", EnumSet.allOf(Suite.class),
                "UnaryOp.ERF", EnumSet.allOf(Suite.class),
                "BinaryOp.LT", EnumSet.of(Suite.CONFORMANCE, Suite.PYTORCH),
                "Tensor.erf", EnumSet.of(Suite.GRADIENT)));
        // A registry with the real exp, a comparison with a fixture but no device case, and no erf at all.
        Op lt = new Op("lt", Set.of("BinaryOp.LT"), (x, p) -> x[0].lt(x[1]), new Reference("ops", "lt"), List.of());
        List<String> missing = OpCoverage.missing(required, List.of(OpRegistry.op("exp"), lt));
        assertEquals(List.of("BinaryOp.LT: no CONFORMANCE case",
                "Tensor.erf: no GRADIENT case",
                "UnaryOp.ERF: no GRADIENT case, no CONFORMANCE case, no PYTORCH reference"), missing);
        assertEquals(List.of(), OpCoverage.missing(required, OpRegistry.ops()).stream()
                .filter(m -> m.startsWith("UnaryOp.EXP") || m.startsWith("BinaryOp.LT")).toList());
    }

    @Test
    void comparisonsAreToldFromArithmeticByTheirValues() {
        Set<String> comparisons = new TreeSet<>();
        for (org.trainer.core.backend.BinaryOp op : org.trainer.core.backend.BinaryOp.values()) {
            if (OpCoverage.isComparison(op)) {
                comparisons.add(op.name());
            }
        }
        assertEquals(new TreeSet<>(List.of("EQ", "NE", "LT", "LE", "GT", "GE")), comparisons);
    }

    @Test
    void everyFixtureOpHasAnEntryAndEveryReferenceItsFixtureCases() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> inFixture = new TreeMap<>();
        for (Map.Entry<String, String[]> f : FIXTURES.entrySet()) {
            Set<String> names = new TreeSet<>();
            for (JsonNode c : read(f.getValue()[0])) {
                names.add(c.get(f.getValue()[1]).asText());
            }
            inFixture.put(f.getKey(), names);
            for (String op : names) {
                if (OpRegistry.ops().stream().noneMatch(o -> new Reference(f.getKey(), op).equals(o.reference()))) {
                    problems.add(f.getKey() + " fixture op '" + op + "' has no OpRegistry entry");
                }
            }
        }
        for (Op o : OpRegistry.ops()) {
            Reference r = o.reference();
            if (r.exists() && !inFixture.getOrDefault(r.fixture(), Set.of()).contains(r.op())) {
                problems.add(o.name() + ": no case '" + r.op() + "' in the " + r.fixture() + " fixture (add one to "
                        + "its generator script, or state Reference.none with the reason)");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void caseLabelsAreUniqueWithinASuiteAndInputsResolve() {
        for (Suite s : List.of(Suite.GRADIENT, Suite.CONFORMANCE)) {
            Set<String> seen = new HashSet<>();
            for (Case c : OpRegistry.cases(s).toList()) {
                assertTrue(seen.add(c.label()), s + ": two cases labelled '" + c.label() + "'");
                for (OpInput in : c.inputs()) {
                    for (int d : in.resolve(new int[] {1, 1, 1})) {
                        assertTrue(d > 0, c.label() + ": input " + in + " resolves to a size " + d);
                    }
                }
            }
        }
    }

    @Test
    void symbolicSizesResolveWithTheirOffsets() {
        OpInput in = OpInput.any(OpInput.A + 3, 10, OpInput.B, OpInput.E - 1);
        assertEquals(List.of(8, 10, 7, 1), java.util.Arrays.stream(in.resolve(new int[] {5, 7, 2})).boxed().toList());
    }

    private static JsonNode read(String resource) throws IOException {
        try (InputStream in = OpRegistryTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is missing");
            return new ObjectMapper().readTree(in).get("cases");
        }
    }
}
