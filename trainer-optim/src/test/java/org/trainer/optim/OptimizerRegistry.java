package org.trainer.optim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.trainer.core.nn.Parameter;
import org.trainer.optim.extension.Adamax;

/**
 * The registry of optimizers that every optimizer suite draws from: one row per optimizer class,
 * building it from PyTorch's param_groups, i.e. a list of group settings under torch's names
 * ({@code {"lr": 0.1, "momentum": 0.9, "nesterov": true}}); a setting left out takes PyTorch's
 * default, and a name the row does not know is refused, so that no fixture setting is silently
 * ignored. The PyTorch references (OptimizerReferenceTest, SgdTest, ParamGroupReferenceTest) and
 * the checkpoint tests (StateDictTest) build their optimizers here; a new optimizer adds a row here
 * and a case to generate_param_groups.py, and ParamGroupReferenceTest's guard fails, naming it,
 * until both exist.
 */
final class OptimizerRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One optimizer: torch's name, its class, the settings it reads and how it is built from them. */
    record Row<O extends OptimizerOptions<O>>(String name, Class<?> type, Set<String> keys, Function<JsonNode, O> options,
                                               Function<List<OptimizerGroup<O>>, BufferedOptimizer<O>> make) {

        /** The optimizer over groups of parameters, group j with settings j. */
        BufferedOptimizer<O> create(List<List<Parameter>> parameters, List<JsonNode> settings) {
            if (parameters.size() != settings.size()) {
                throw new AssertionError(name + ": " + parameters.size() + " groups of parameters but "
                        + settings.size() + " of settings");
            }
            List<OptimizerGroup<O>> groups = new ArrayList<>();
            for (int j = 0; j < settings.size(); j++) {
                JsonNode s = settings.get(j);
                for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!keys.contains(k)) {
                        throw new AssertionError(name + ": group " + j + " has setting '" + k + "', which the registry "
                                + "does not read (it reads " + keys + ")");
                    }
                }
                if (!s.has("lr")) {
                    throw new AssertionError(name + ": group " + j + " has no lr");
                }
                groups.add(OptimizerGroup.of(parameters.get(j), options.apply(s)));
            }
            return make.apply(groups);
        }
    }

    static final Map<String, Row<?>> ROWS = new LinkedHashMap<>();

    static {
        add(new Row<>("SGD", SGD.class, Set.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"),
                s -> SGD.options(s.get("lr").asDouble()).withMomentum(s.path("momentum").asDouble(0))
                        .withDampening(s.path("dampening").asDouble(0)).withWeightDecay(s.path("weight_decay").asDouble(0))
                        .withNesterov(s.path("nesterov").asBoolean(false)).withMaximize(s.path("maximize").asBoolean(false)),
                SGD::new));
        add(new Row<>("Adam", Adam.class, Set.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"),
                s -> adam(Adam.options(s.get("lr").asDouble()), s), Adam::new));
        add(new Row<>("AdamW", AdamW.class, Set.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"),
                s -> adam(AdamW.options(s.get("lr").asDouble()), s), AdamW::new));
        add(new Row<>("RMSprop", RMSprop.class, Set.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered",
                        "maximize"),
                s -> RMSprop.options(s.get("lr").asDouble()).withAlpha(s.path("alpha").asDouble(0.99))
                        .withEps(s.path("eps").asDouble(1e-8)).withWeightDecay(s.path("weight_decay").asDouble(0))
                        .withMomentum(s.path("momentum").asDouble(0)).withCentered(s.path("centered").asBoolean(false))
                        .withMaximize(s.path("maximize").asBoolean(false)),
                RMSprop::new));
        add(new Row<>("Adagrad", Adagrad.class,
                Set.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"),
                s -> Adagrad.options(s.get("lr").asDouble()).withLrDecay(s.path("lr_decay").asDouble(0))
                        .withWeightDecay(s.path("weight_decay").asDouble(0))
                        .withInitialAccumulatorValue(s.path("initial_accumulator_value").asDouble(0))
                        .withEps(s.path("eps").asDouble(1e-10)).withMaximize(s.path("maximize").asBoolean(false)),
                Adagrad::new));
        // Not the library's: written in another package on the public base class (extension/Adamax.java).
        add(new Row<>("Adamax", Adamax.class, Set.of("lr", "betas", "eps", "weight_decay", "maximize"),
                s -> {
                    Adamax.Options o = Adamax.options(s.get("lr").asDouble())
                            .withEps(s.path("eps").asDouble(1e-8)).withWeightDecay(s.path("weight_decay").asDouble(0))
                            .withMaximize(s.path("maximize").asBoolean(false));
                    return s.has("betas") ? o.withBetas(s.get("betas").get(0).asDouble(), s.get("betas").get(1).asDouble())
                            : o;
                },
                Adamax::new));
    }

    private OptimizerRegistry() {
    }

    private static void add(Row<?> row) {
        ROWS.put(row.name(), row);
    }

    private static Adam.Options adam(Adam.Options o, JsonNode s) {
        Adam.Options out = o.withEps(s.path("eps").asDouble(1e-8)).withAmsgrad(s.path("amsgrad").asBoolean(false))
                .withMaximize(s.path("maximize").asBoolean(false));
        if (s.has("weight_decay")) {
            out = out.withWeightDecay(s.get("weight_decay").asDouble());
        }
        if (s.has("betas")) {
            out = out.withBetas(s.get("betas").get(0).asDouble(), s.get("betas").get(1).asDouble());
        }
        return out;
    }

    static Row<?> row(String name) {
        Row<?> r = ROWS.get(name);
        if (r == null) {
            throw new AssertionError("no optimizer named " + name + " in OptimizerRegistry.ROWS " + ROWS.keySet());
        }
        return r;
    }

    /** The named optimizer over groups of parameters, each with its settings under torch's names. */
    static BufferedOptimizer<?> create(String name, List<List<Parameter>> parameters, List<JsonNode> settings) {
        return row(name).create(parameters, settings);
    }

    /**
     * The two groups' settings of a configuration in generate_sgd.py's and generate_optimizers.py's
     * form: per-group "lr" and "wd" (weight_decay), every other key (but "name" and "steps") shared.
     */
    static List<JsonNode> twoGroups(JsonNode config) {
        List<JsonNode> out = new ArrayList<>();
        for (int j = 0; j < 2; j++) {
            com.fasterxml.jackson.databind.node.ObjectNode g = JSON.createObjectNode();
            g.put("lr", config.get("lr").get(j).asDouble());
            g.put("weight_decay", config.get("wd").get(j).asDouble());
            for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!Set.of("name", "steps", "lr", "wd").contains(e.getKey())) {
                    g.set(e.getKey(), e.getValue());
                }
            }
            out.add(g);
        }
        return out;
    }

    /** Settings from Java values, e.g. {@code settings(Map.of("lr", 0.1, "momentum", 0.9))}. */
    static JsonNode settings(Map<String, ?> values) {
        return JSON.valueToTree(values);
    }
}
