/** Check jobs: a client's request to check addresses against AutoNAT v2 servers, queued and run. */
@NullMarked
package io.reachability.job;

import org.jspecify.annotations.NullMarked;
