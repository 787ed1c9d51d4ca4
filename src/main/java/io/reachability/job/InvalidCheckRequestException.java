package io.reachability.job;

import java.util.List;

/** A submission with field errors (REST: 400 with every error listed); nothing was stored. */
public final class InvalidCheckRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<FieldError> errors;

  public InvalidCheckRequestException(List<FieldError> errors) {
    // not every error: the message must stay small whatever was submitted
    super(
        "invalid check request: "
            + errors.size()
            + " field error(s)"
            + (errors.isEmpty() ? "" : ", the first: " + errors.get(0)));
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
