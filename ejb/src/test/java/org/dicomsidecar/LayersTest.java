package org.dicomsidecar;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers: each may import only from the layers below it, and no two packages import each
 * other (within a layer, too). A package that belongs to no layer fails the build, so none escapes the rule.
 */
class LayersTest {

    private record Layer(String name, String... packages) {
        String[] patterns() {
            return Arrays.stream(packages).map(p -> "org.dicomsidecar." + p + "..").toArray(String[]::new);
        }
    }

    /** Bottom to top. */
    private static final List<Layer> LAYERS = List.of(
            new Layer("Foundation", "config", "json", "dicom"),
            new Layer("Query", "query"),
            new Layer("Infrastructure", "couchdb", "delegation"),
            new Layer("Coordination", "cluster"),
            new Layer("Catalog", "catalog", "index"),
            new Layer("Features", "ingest", "mirror", "references", "cohorts", "workflow", "qido"),
            new Layer("Admin", "admin"));

    private static JavaClasses mainClasses;

    @BeforeAll
    static void importMainClasses() {
        mainClasses = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dicomsidecar");
    }

    @Test
    void eachLayerImportsOnlyFromTheLayersBelowIt() {
        LayeredArchitecture architecture = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Layer layer : LAYERS) {
            architecture = architecture.layer(layer.name()).definedBy(layer.patterns());
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream().map(Layer::name).toArray(String[]::new);
            architecture = above.length == 0
                    ? architecture.whereLayer(LAYERS.get(i).name()).mayNotBeAccessedByAnyLayer()
                    : architecture.whereLayer(LAYERS.get(i).name()).mayOnlyBeAccessedByLayers(above);
        }
        architecture.check(mainClasses);
    }

    @Test
    void noTwoPackagesImportEachOther() {
        slices().matching("org.dicomsidecar.(*)..").should().beFreeOfCycles().check(mainClasses);
    }

    @Test
    void everyPackageBelongsToALayer() {
        String[] all = LAYERS.stream().flatMap(l -> Arrays.stream(l.patterns())).toArray(String[]::new);
        classes().should().resideInAnyPackage(all).check(mainClasses);
    }
}
