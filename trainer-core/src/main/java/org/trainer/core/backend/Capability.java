package org.trainer.core.backend;

/**
 * An optional kernel family a {@link Backend} may offer beyond its required primitives: a fused
 * optimizer step, softmax cross-entropy, a direct convolution. Each capability is an interface
 * extending this one (those core knows are nested in {@link Fused}); a backend offers it by
 * implementing that interface, and a caller asks for it with {@link Backend#capability(Class)}:
 * <pre>
 *   Optional&lt;Fused.Adam&gt; adam = w.backend().capability(Fused.Adam.class);
 *   if (adam.isPresent()) { adam.get().adamStep(...); } else { ...the same rule in primitives... }
 * </pre>
 * Every capability has a composed fallback, written at its call site (the op or the optimizer)
 * from the required primitives, so a backend that offers none still runs everything; a capability
 * only makes a path faster, never possible. Its kernels compute what the fallback computes, to
 * rounding, which the backend conformance suite in core's test-jar checks.
 *
 * <p>Why a typed lookup rather than default methods on {@link Backend}: the required contract stays
 * the small set of primitives a new device must write; a new fused kernel is one new interface,
 * implemented by the backends that have it, with no change to {@code Backend} or to the backends
 * that do not; and a backend that wraps another (a test double, a device with a partial kernel
 * set) can withhold or forward each capability explicitly by overriding the lookup.
 */
public interface Capability {
}
