package com.kddm.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The training core is a library: no Spring, no JPA, no web or database feature inside it. */
class PackageBoundariesTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("com.kddm");

  @Test
  void theTrainingCoreDependsOnNeitherSpringNorJpaNorTheService() {
    noClasses()
        .that().resideInAnyPackage("com.kddm.training..", "com.kddm.distances..", "com.kddm.architectures..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("org.springframework..", "jakarta.persistence..", "org.hibernate..",
            "com.kddm.jobs..", "com.kddm.datasets..", "com.kddm.teachers..", "com.kddm.workers..",
            "com.kddm.storage..", "com.kddm.system..")
        .check(CLASSES);
  }

  @Test
  void featurePackagesDoNotFormCycles() {
    slices().matching("com.kddm.(*)..").should().beFreeOfCycles().check(CLASSES);
  }
}
