package org.trainer.core;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allowed arrows between trainer-core's packages (the modules' own arrows are Maven's), from
 * the bottom up:
 * <ol>
 *   <li>Tensor: {@code org.trainer.core} (Tensor, autograd), {@code backend..}, {@code ops}. One
 *       unit: a tensor calls its backend and its ops, and they make tensors;</li>
 *   <li>Model: {@code nn}, {@code loss}, {@code io} (safetensors, atomic writes);</li>
 *   <li>Data: {@code data}, {@code data.augment}, {@code data.split} (loaders take their default
 *       seed from {@code nn.Seeds}, the one seed of a run);</li>
 *   <li>State: {@code train.checkpoint}, {@code metrics} (what a checkpoint keeps);</li>
 *   <li>Loop: {@code train} (Trainer, History, findings, the step timer);</li>
 *   <li>Watch: {@code monitor} (rules, profiler, diagnosis), {@code transfer};</li>
 *   <li>Job: {@code job} (the training-job contract).</li>
 * </ol>
 * A layer may use the layers below it, never one above; and no two packages depend on each other,
 * directly or through others (each package a slice of its own, sub-packages included).
 */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.trainer.core");
    }

    @Test
    void layersOnlyUseTheLayersBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage("org.trainer.core..")
                .layer("Tensor").definedBy("org.trainer.core", "org.trainer.core.backend..", "org.trainer.core.ops..")
                .layer("Model").definedBy("org.trainer.core.nn..", "org.trainer.core.loss..", "org.trainer.core.io..")
                .layer("Data").definedBy("org.trainer.core.data..")
                .layer("State").definedBy("org.trainer.core.train.checkpoint..", "org.trainer.core.metrics..")
                .layer("Loop").definedBy("org.trainer.core.train")
                .layer("Watch").definedBy("org.trainer.core.monitor..", "org.trainer.core.transfer..")
                .layer("Job").definedBy("org.trainer.core.job..")
                .whereLayer("Job").mayNotBeAccessedByAnyLayer()
                .whereLayer("Watch").mayOnlyBeAccessedByLayers("Job")
                .whereLayer("Loop").mayOnlyBeAccessedByLayers("Watch", "Job")
                .whereLayer("State").mayOnlyBeAccessedByLayers("Loop", "Watch", "Job")
                .whereLayer("Data").mayOnlyBeAccessedByLayers("Loop", "Watch", "Job")
                .whereLayer("Model").mayOnlyBeAccessedByLayers("Data", "State", "Loop", "Watch", "Job")
                .check(core);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.trainer.core.(**)").should().beFreeOfCycles().check(core);
    }
}
