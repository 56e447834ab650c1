package org.trainer.core.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;

/**
 * SGD with heavy-ball momentum (b = mu b + g; w = w - lr b), per parameter group, with a state dict:
 * enough for core's tests to drive the trainer with state worth saving, without trainer-optim.
 */
public final class MomentumSgd implements Optimizer {
    private final List<ParameterGroup> groups;
    private final double momentum;
    private final Map<Parameter, Tensor> buffers = new LinkedHashMap<>();

    public MomentumSgd(List<ParameterGroup> groups, double momentum) {
        this.groups = List.copyOf(groups);
        this.momentum = momentum;
    }

    public MomentumSgd(List<Parameter> parameters, double lr, double momentum) {
        this(List.of(new ParameterGroup(parameters, lr, 0)), momentum);
    }

    @Override
    public void step() {
        try (GradMode off = Tensor.noGrad()) {
            for (ParameterGroup g : groups) {
                for (Parameter p : g.parameters()) {
                    if (!p.isTrainable() || p.grad() == null) {
                        continue;
                    }
                    Tensor b = buffers.get(p);
                    b = b == null ? p.grad().copy() : b.mul(momentum).add(p.grad());
                    buffers.put(p, b);
                    p.value().copyFrom(p.value().sub(b.mul(g.learningRate())));
                }
            }
        }
    }

    @Override
    public List<ParameterGroup> groups() {
        return groups;
    }

    private List<Parameter> all() {
        List<Parameter> ps = new ArrayList<>();
        groups.forEach(g -> ps.addAll(g.parameters()));
        return ps;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Parameter> ps = all();
        for (int i = 0; i < ps.size(); i++) {
            Tensor b = buffers.get(ps.get(i));
            if (b != null) {
                out.put("state." + i + ".momentum_buffer", b.copy());
            }
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        List<Parameter> ps = all();
        buffers.clear();
        for (int i = 0; i < ps.size(); i++) {
            Tensor b = state.get("state." + i + ".momentum_buffer");
            if (b != null) {
                buffers.put(ps.get(i), b.copy());
            }
        }
    }
}
