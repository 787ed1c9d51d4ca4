package io.reachability.api;

import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import java.util.ArrayList;
import java.util.List;

/** The page parameters of the list endpoints, checked the same way everywhere. */
final class Paging {

  /** Page size when none is asked for. */
  static final int DEFAULT_PAGE_SIZE = 20;

  /** Largest page: a page of full jobs can be large. */
  static final int MAX_PAGE_SIZE = 100;

  private Paging() {}

  /**
   * @throws InvalidCheckRequestException naming {@code page} and/or {@code size} when out of range
   */
  static void check(int page, int size) {
    List<FieldError> errors = new ArrayList<>();
    if (page < 0) {
      errors.add(new FieldError("page", Integer.toString(page), "must be at least 0"));
    }
    if (size < 1 || size > MAX_PAGE_SIZE) {
      errors.add(
          new FieldError("size", Integer.toString(size), "must be in [1, " + MAX_PAGE_SIZE + "]"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidCheckRequestException(errors);
    }
  }
}
