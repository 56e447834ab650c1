package org.trainer.core.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.nn.Module;

/**
 * Loads pre-trained weights into a model whose names (and head) may differ from the file's: the
 * source is renamed through a {@link NameMap}, every entry present in both is copied in (shapes
 * must agree), and the rest is reported rather than refused, so that a body can be loaded into a
 * model with a new head. Call {@link LoadReport#requireComplete()} where everything must match.
 * Files saved by PyTorch in the safetensors layout load the same way: PyTorch's layer layouts
 * (Linear [out, in], Conv2d [out, in, kh, kw], batch norm's running statistics) are ours.
 */
public final class PretrainedWeights {
    private PretrainedWeights() {
    }

    /**
     * Reads a safetensors file and loads it through the name map; on refusal (a bad file, a shape
     * that differs) the model is unchanged and the message names the file.
     *
     * @param model the model, modified
     * @param file the safetensors file
     * @param names how the file's names map to the model's
     * @return what was loaded
     * @throws IOException if the file cannot be read or is not a valid safetensors file
     */
    public static LoadReport load(Module model, Path file, NameMap names) throws IOException {
        Map<String, Tensor> source = Safetensors.read(file);
        try {
            return load(model, source, names);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the entries the renamed source shares with the model's state dict; nothing is changed when
     * a shape differs.
     *
     * @param model the model, modified
     * @param source the weights by name
     * @param names how the source's names map to the model's
     * @return what was loaded
     * @throws IllegalArgumentException when a shared entry's shape differs (naming both names and shapes)
     */
    public static LoadReport load(Module model, Map<String, Tensor> source, NameMap names) {
        Map<String, Tensor> renamed = names.apply(source);
        Map<String, Tensor> target = model.stateDict();
        Map<String, Tensor> shared = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            Tensor v = renamed.get(e.getKey());
            if (v == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!Arrays.equals(v.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("PretrainedWeights: '" + e.getKey() + "' has shape "
                        + Shapes.str(v.shape()) + " in the source, " + Shapes.str(e.getValue().shape())
                        + " in the model; drop it with the NameMap (e.g. a head with another output size)");
            }
            shared.put(e.getKey(), v);
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : renamed.keySet()) {
            if (!target.containsKey(k)) {
                unexpected.add(k);
            }
        }
        model.loadStateDict(shared, false);
        return new LoadReport(List.copyOf(shared.keySet()), missing, unexpected);
    }
}
