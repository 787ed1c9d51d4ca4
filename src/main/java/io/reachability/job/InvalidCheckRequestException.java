package io.reachability.job;

import java.util.List;

/** A submission with field errors (REST: 400 with every error listed); nothing was stored. */
public final class InvalidCheckRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<FieldError> errors;

  public InvalidCheckRequestException(List<FieldError> errors) {
    super("invalid check request: " + errors);
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
