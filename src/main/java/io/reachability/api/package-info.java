/** The REST API: controllers, views, problem details and the event stream. */
@NullMarked
package io.reachability.api;

import org.jspecify.annotations.NullMarked;
