package io.reachability;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Keeps the layering of DESIGN.md: the protocol stack is Spring-free and depends on nothing above
 * it.
 */
@AnalyzeClasses(packages = "io.reachability", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule libp2pAndAutonatAreSpringFree =
      noClasses()
          .that()
          .resideInAnyPackage("io.reachability.libp2p..", "io.reachability.autonat..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule libp2pDependsOnNothingAboveIt =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.libp2p..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.reachability.api..",
              "io.reachability.job..",
              "io.reachability.monitor..",
              "io.reachability.autonat..",
              "io.reachability.config..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule autonatDependsOnlyOnLibp2p =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.autonat..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.reachability.api..",
              "io.reachability.job..",
              "io.reachability.monitor..",
              "io.reachability.config..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule jobsAndPoolAreSpringFree =
      noClasses()
          .that()
          .resideInAnyPackage("io.reachability.job..", "io.reachability.pool..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..", "io.reachability.api..", "io.reachability.config..")
          .allowEmptyShould(true);

  /**
   * The monitor builds on AutoNAT alone: not on jobs or the pool (config feeds it those), nor on
   * Spring.
   */
  @ArchTest
  static final ArchRule monitorIsSpringFreeAndStandsOnAutonat =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.monitor..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "io.reachability.api..",
              "io.reachability.config..",
              "io.reachability.job..",
              "io.reachability.pool..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule apiDoesNotReachIntoTheWiring =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.reachability.config..")
          .allowEmptyShould(true);
}
