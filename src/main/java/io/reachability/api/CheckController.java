package io.reachability.api;

import io.reachability.access.ApiClient;
import io.reachability.access.KeyedRateLimiter;
import io.reachability.access.SubmissionsLimitedException;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.JobPage;
import io.reachability.job.JobService;
import io.reachability.job.JobState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Check jobs: submit, read, list, cancel. */
@RestController
@RequestMapping(path = CheckController.PATH, produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = ApiDocumentation.TAG_CHECKS)
@ApiResponse(
    responseCode = "400",
    description =
        """
        Invalid request: invalid body fields (every one listed), a body that is not JSON (one error
        with field `body` and value null), a value of the wrong JSON type (one error naming the
        field, value null: numbers are strict, `1.5`, `2.0`, `"3"` or `true` is no integer), or a
        path/query parameter of the wrong form or out of range (`id`, `state`, `page`, `size`).\
        """,
    content =
        @Content(
            mediaType = ApiDocumentation.PROBLEM_JSON,
            schema = @Schema(implementation = ApiDocumentation.ValidationProblem.class),
            examples = {
              @ExampleObject(
                  name = "invalidFields",
                  summary = "invalid body fields, every one listed",
                  value = CheckController.EXAMPLE_INVALID_FIELDS),
              @ExampleObject(
                  name = "malformedJson",
                  summary = "a body that is not JSON",
                  value = CheckController.EXAMPLE_MALFORMED_JSON),
              @ExampleObject(
                  name = "wrongType",
                  summary = "a value of the wrong JSON type (confirmations: 1.5)",
                  value = CheckController.EXAMPLE_WRONG_TYPE),
              @ExampleObject(
                  name = "badParameter",
                  summary = "a query or path parameter of the wrong form",
                  value = CheckController.EXAMPLE_BAD_PARAMETER)
            }))
class CheckController {

  static final String PATH = "/api/v1/checks";

  static final int DEFAULT_PAGE_SIZE = Paging.DEFAULT_PAGE_SIZE;
  static final int MAX_PAGE_SIZE = Paging.MAX_PAGE_SIZE;

  private static final String JOB_ID =
      "The job's id. Not a UUID = 400 with a field error for `id`.";
  private static final String JOB_NOT_FOUND =
      "No job with this id (never existed, or finished longer ago than the retention).";

  static final String EXAMPLE_INVALID_FIELDS =
      """
      {"title": "Invalid request", "status": 400, "detail": "the request has invalid fields",
       "instance": "/api/v1/checks",
       "errors": [
         {"field": "addresses[0]", "value": "nope", "reason": "not a multiaddr: ..."},
         {"field": "addresses[1]", "value": "/ip4/127.0.0.1/udp/1/quic-v1/webtransport",
          "reason": "a transport the node cannot listen on: only TCP and QUIC-v1 over ip4/ip6 (/ip4|ip6/<address>/tcp/<port>, /ip4|ip6/<address>/udp/<port>/quic-v1) can be checked"},
         {"field": "confirmations", "value": "0", "reason": "must be in [1, 10]"}]}\
      """;

  static final String EXAMPLE_MALFORMED_JSON =
      """
      {"title": "Invalid request", "status": 400, "detail": "the request body is not valid JSON for a check request",
       "instance": "/api/v1/checks",
       "errors": [{"field": "body", "value": null, "reason": "malformed JSON or wrong types"}]}\
      """;

  static final String EXAMPLE_WRONG_TYPE =
      """
      {"title": "Invalid request", "status": 400, "detail": "the request body is not valid JSON for a check request",
       "instance": "/api/v1/checks",
       "errors": [{"field": "confirmations", "value": null,
                   "reason": "must be a JSON integer within 32 bits (not a fraction, a string or a boolean)"}]}\
      """;

  static final String EXAMPLE_BAD_PARAMETER =
      """
      {"title": "Invalid request", "status": 400, "detail": "a parameter has the wrong form",
       "instance": "/api/v1/checks",
       "errors": [{"field": "state", "value": "DONE",
                   "reason": "not a valid JobState (one of [QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED])"}]}\
      """;

  private final JobService jobs;
  private final CheckRequestValidator validator;
  private final KeyedRateLimiter submissions;

  CheckController(JobService jobs, CheckRequestValidator validator, KeyedRateLimiter submissions) {
    this.jobs = jobs;
    this.validator = validator;
    this.submissions = submissions;
  }

  /**
   * Accepts a check job: 202 with its location; 400 with field errors; 503 when the queue is full.
   */
  // JSON only: other converters on the classpath (YAML, from springdoc) are not part of the API
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "submitCheck",
      summary = "Submit a check job",
      description =
          """
          Validates the request and queues a job. The body is optional, and so is every field in it:
          an absent body, `{}` or `null` checks the node's candidate addresses (listen +
          `reach.node.announce`, as they are when the job runs) against the pool with every
          default. Every invalid field is reported at once (400); nothing is stored then. Unknown
          JSON properties are ignored.\
          """,
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              required = false,
              content =
                  @Content(
                      schema = @Schema(implementation = CheckRequestBody.class),
                      examples = {
                        @ExampleObject(
                            name = "candidates",
                            summary = "the node's own candidate addresses, the pool, every default",
                            value = "{}"),
                        @ExampleObject(
                            name = "oneAddress",
                            summary = "one address, two confirmations, 30 s",
                            value =
                                "{\"addresses\": [\"/ip4/127.0.0.1/tcp/4001\"], \"confirmations\":"
                                    + " 2, \"timeoutSeconds\": 30}")
                      })))
  @ApiResponse(
      responseCode = "202",
      description = "Accepted; the job as stored (state `QUEUED`).",
      headers =
          @Header(
              name = "Location",
              required = true,
              description = "The job's URL, relative to the server (`/api/v1/checks/{id}`).",
              schema = @Schema(type = "string", format = "uri-reference")),
      content = @Content(schema = @Schema(implementation = JobView.class)))
  @ApiResponse(
      responseCode = "413",
      description =
          "The body is larger than the setting `reach.api.max-body-bytes` (default "
              + BodyLimitFilter.DEFAULT_MAX_BODY_BYTES
              + " bytes, far more than the largest valid request). A body that declares its length"
              + " is turned away before it is read, a chunked one as soon as it passes the limit;"
              + " the connection is closed.",
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class),
              examples =
                  @ExampleObject(
                      name = "tooLarge",
                      summary = "a body of 10 MB",
                      value =
                          """
                          {"title": "Content too large", "status": 413,
                           "detail": "the request body has 10485760 bytes; at most 65536 bytes are accepted (reach.api.max-body-bytes)",
                           "instance": "/api/v1/checks"}\
                          """)))
  @ApiResponse(
      responseCode = "415",
      description = "The body's `Content-Type` is not `application/json`.",
      headers =
          @Header(
              name = "Accept",
              description = "The media type accepted.",
              schema = @Schema(type = "string", example = "application/json")),
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class),
              examples =
                  @ExampleObject(
                      name = "textPlain",
                      summary = "a text/plain body",
                      value =
                          """
                          {"title": "Unsupported media type", "status": 415,
                           "detail": "Content-Type text/plain is not supported; send one of [application/json]",
                           "instance": "/api/v1/checks"}\
                          """)))
  @ApiResponse(
      responseCode = "429",
      description =
          """
          The job was not accepted and nothing was stored: this client submitted more than
          `reach.access.submissions-per-minute` checks in the last minute (invalid ones count too),
          or already has `reach.jobs.max-unfinished-per-client` jobs queued or running. Other
          clients are not affected.\
          """,
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  @ApiResponse(
      responseCode = "503",
      description =
          """
          The job was not accepted and nothing was stored: the job queue is full
          (`reach.jobs.queue-capacity` jobs waiting), or the service is shutting down.\
          """,
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  ResponseEntity<JobView> submit(
      @RequestBody(required = false) @Nullable CheckRequestBody body,
      @Parameter(hidden = true) @AuthenticationPrincipal ApiClient client) {
    // counted before validation: a client sending garbage pays for it too
    submissions
        .tryAcquire(client.name())
        .ifPresent(
            wait -> {
              throw new SubmissionsLimitedException(submissions.perMinute(), wait);
            });
    CheckRequestBody request =
        body != null ? body : new CheckRequestBody(null, null, null, null, null);
    CheckJob job = jobs.submit(validator.validate(request.toSubmission()), client.name());
    return ResponseEntity.accepted()
        .location(URI.create(PATH + "/" + job.id()))
        .body(JobView.of(job));
  }

  /** A job only its owner (or an admin) sees; to anyone else it does not exist. */
  private Optional<CheckJob> visible(UUID id, @Nullable ApiClient client) {
    return jobs.find(id).filter(job -> client != null && client.owns(job));
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getCheck", summary = "Read a check job")
  @ApiResponse(responseCode = "200", description = "The job as it is now.")
  @ApiResponse(
      responseCode = "404",
      description = JOB_NOT_FOUND,
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  JobView get(
      @Parameter(description = JOB_ID) @PathVariable UUID id,
      @Parameter(hidden = true) @AuthenticationPrincipal @Nullable ApiClient client) {
    return visible(id, client).map(JobView::of).orElseThrow(() -> new JobNotFoundException(id));
  }

  @GetMapping
  @Operation(
      operationId = "listChecks",
      summary = "List check jobs",
      description =
          """
          One page of jobs, newest first, optionally only those in one state. A page past the end,
          or a filter nothing matches, is an empty page (200), never a 404.\
          """)
  @ApiResponse(responseCode = "200", description = "The page (possibly empty).")
  JobPageView list(
      @Parameter(description = "Only jobs in this state (absent or empty = every state).")
          @RequestParam(required = false)
          @Nullable JobState state,
      @Parameter(
              description = "Page number, from 0.",
              schema =
                  @Schema(type = "integer", format = "int32", minimum = "0", defaultValue = "0"))
          @RequestParam(defaultValue = "0")
          int page,
      @Parameter(
              description = "Jobs per page.",
              schema =
                  @Schema(
                      type = "integer",
                      format = "int32",
                      minimum = "1",
                      maximum = "" + MAX_PAGE_SIZE,
                      defaultValue = "" + DEFAULT_PAGE_SIZE))
          @RequestParam(defaultValue = "" + DEFAULT_PAGE_SIZE)
          int size,
      @Parameter(hidden = true) @AuthenticationPrincipal @Nullable ApiClient client) {
    Paging.check(page, size);
    if (client == null) {
      return JobPageView.of(
          new JobPage<CheckJob>(List.of(), page, size, 0)); // an anonymous caller owns no job
    }
    return JobPageView.of(jobs.list(state, client.admin() ? null : client.name(), page, size));
  }

  /** Cancels a queued or running job; a finished one is returned unchanged. */
  @DeleteMapping("/{id}")
  @Operation(
      operationId = "cancelCheck",
      summary = "Cancel a check job",
      description =
          """
          Cancels a queued or running job: it becomes `CANCELLED` at once (with `finishedAt` set,
          `error` = `cancelled` and the results it had so far) and its checks stop. A job that has
          already finished is returned unchanged (still 200). The job is not deleted: it stays
          readable until its retention passes.\
          """)
  @ApiResponse(
      responseCode = "200",
      description = "The job after cancelling (or unchanged when it had already finished).")
  @ApiResponse(
      responseCode = "404",
      description = JOB_NOT_FOUND,
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  JobView cancel(
      @Parameter(description = JOB_ID) @PathVariable UUID id,
      @Parameter(hidden = true) @AuthenticationPrincipal ApiClient client) {
    if (visible(id, client).isEmpty()) {
      throw new JobNotFoundException(id);
    }
    return jobs.cancel(id).map(JobView::of).orElseThrow(() -> new JobNotFoundException(id));
  }
}
