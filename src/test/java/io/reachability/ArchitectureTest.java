package io.reachability;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.jspecify.annotations.NullMarked;

/**
 * The layering (docs/ARCHITECTURE.md): the protocol stack is Spring-free and depends on nothing
 * above it, AutoNAT sees connections and streams but no particular muxer, and no package cycles. No
 * rule allows an empty {@code should}: a rule whose packages were renamed away fails instead of
 * silently checking nothing.
 */
@AnalyzeClasses(packages = "io.reachability", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Classes generated from .proto files: neither ours to annotate nor to layer. */
  private static final DescribedPredicate<JavaClass> GENERATED =
      DescribedPredicate.describe("generated from .proto", c -> c.getPackageName().endsWith(".pb"));

  @ArchTest
  static final ArchRule libp2pAndAutonatAreSpringFree =
      noClasses()
          .that()
          .resideInAnyPackage("io.reachability.libp2p..", "io.reachability.autonat..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..");

  @ArchTest
  static final ArchRule libp2pDependsOnNothingAboveIt =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.libp2p..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.reachability.api..",
              "io.reachability.access..",
              "io.reachability.job..",
              "io.reachability.monitor..",
              "io.reachability.pool..",
              "io.reachability.autonat..",
              "io.reachability.config..");

  @ArchTest
  static final ArchRule autonatDependsOnlyOnLibp2p =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.autonat..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.reachability.api..",
              "io.reachability.access..",
              "io.reachability.job..",
              "io.reachability.monitor..",
              "io.reachability.pool..",
              "io.reachability.config..");

  /** AutoNAT works on connections and streams; which muxer carries them is the host's business. */
  @ArchTest
  static final ArchRule autonatIsIndependentOfAnyMuxer =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.autonat..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.reachability.libp2p.yamux..");

  @ArchTest
  static final ArchRule jobsAndPoolAreSpringFree =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.reachability.job..", "io.reachability.pool..", "io.reachability.peercheck..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..", "io.reachability.api..", "io.reachability.config..");

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
              "io.reachability.pool..");

  @ArchTest
  static final ArchRule apiDoesNotReachIntoTheWiring =
      noClasses()
          .that()
          .resideInAPackage("io.reachability.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.reachability.config..");

  @ArchTest
  static final ArchRule libp2pPackagesHaveNoCycles =
      slices().matching("io.reachability.libp2p.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule featurePackagesHaveNoCycles =
      slices().matching("io.reachability.(*)..").should().beFreeOfCycles();

  /** NullAway checks @NullMarked code only: a package without it would escape the gate. */
  @ArchTest
  static final ArchRule everyPackageIsNullMarked =
      classes()
          .that()
          .resideInAPackage("io.reachability..")
          .and(DescribedPredicate.not(GENERATED))
          .should(
              new ArchCondition<JavaClass>("reside in a @NullMarked package") {
                @Override
                public void check(JavaClass javaClass, ConditionEvents events) {
                  boolean marked = javaClass.getPackage().isAnnotatedWith(NullMarked.class);
                  events.add(
                      new SimpleConditionEvent(
                          javaClass,
                          marked,
                          javaClass.getPackageName() + " has no @NullMarked package-info"));
                }
              });
}
