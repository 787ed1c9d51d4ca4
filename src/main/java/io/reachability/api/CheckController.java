package io.reachability.api;

import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import io.reachability.job.JobService;
import io.reachability.job.JobState;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
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
@RequestMapping(CheckController.PATH)
class CheckController {

  static final String PATH = "/api/v1/checks";

  /** Page size when none is asked for. */
  static final int DEFAULT_PAGE_SIZE = 20;

  /** Largest page: a page of full jobs can be large. */
  static final int MAX_PAGE_SIZE = 100;

  private final JobService jobs;
  private final CheckRequestValidator validator;

  CheckController(JobService jobs, CheckRequestValidator validator) {
    this.jobs = jobs;
    this.validator = validator;
  }

  /** Accepts a check job: 202 with its location; 400 with field errors; 503 when the queue is full. */
  @PostMapping
  ResponseEntity<JobView> submit(@RequestBody(required = false) @Nullable CheckRequestBody body) {
    CheckRequestBody request = body != null ? body : new CheckRequestBody(null, null, null, null, null);
    CheckJob job = jobs.submit(validator.validate(request.toSubmission()));
    return ResponseEntity.accepted().location(URI.create(PATH + "/" + job.id())).body(JobView.of(job));
  }

  @GetMapping("/{id}")
  JobView get(@PathVariable UUID id) {
    return jobs.find(id).map(JobView::of).orElseThrow(() -> new JobNotFoundException(id));
  }

  @GetMapping
  JobPageView list(
      @RequestParam(required = false) @Nullable JobState state,
      @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "" + DEFAULT_PAGE_SIZE) int size) {
    List<FieldError> errors = new ArrayList<>();
    if (page < 0) {
      errors.add(new FieldError("page", Integer.toString(page), "must be at least 0"));
    }
    if (size < 1 || size > MAX_PAGE_SIZE) {
      errors.add(new FieldError("size", Integer.toString(size), "must be in [1, " + MAX_PAGE_SIZE + "]"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidCheckRequestException(errors);
    }
    return JobPageView.of(jobs.list(state, page, size));
  }

  /** Cancels a queued or running job; a finished one is returned unchanged. */
  @DeleteMapping("/{id}")
  JobView cancel(@PathVariable UUID id) {
    return jobs.cancel(id).map(JobView::of).orElseThrow(() -> new JobNotFoundException(id));
  }
}
