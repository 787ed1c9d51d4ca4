/** The reachability service: Spring Boot application entry point. */
@NullMarked
package io.reachability;

import org.jspecify.annotations.NullMarked;
