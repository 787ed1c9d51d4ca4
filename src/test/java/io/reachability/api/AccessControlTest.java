package io.reachability.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.access.SecurityConfiguration;
import io.reachability.job.JobService;
import io.reachability.job.JobState;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what, over MockMvc with the real security filter chain: API keys, the loopback rule
 * while no key is configured, jobs visible to their owner only, protected reads, and the per-client
 * submission budget. Every refusal is problem+json.
 */
class AccessControlTest {

  static final String ALICE = "alice-0123456789abcdef";
  static final String BOB = "bob-0123456789abcdefgh";
  static final String ROOT = "root-0123456789abcdef0";
  static final String PROBLEM = "application/problem+json";

  /** A caller from another machine (MockMvc's default remote address is 127.0.0.1). */
  static final RequestPostProcessor REMOTE =
      request -> {
        request.setRemoteAddr("192.0.2.10");
        return request;
      };

  static MockHttpServletRequestBuilder submit() {
    return post("/api/v1/checks")
        .contentType(MediaType.APPLICATION_JSON)
        .content("{\"addresses\":[\"/ip4/127.0.0.1/tcp/4001\"]}");
  }

  static RequestPostProcessor key(String secret) {
    return request -> {
      request.addHeader(HttpHeaders.AUTHORIZATION, "Bearer " + secret);
      return request;
    };
  }

  static String jobId(MockMvc mvc, RequestPostProcessor who) throws Exception {
    String body =
        mvc.perform(submit().with(who))
            .andExpect(status().isAccepted())
            .andReturn()
            .getResponse()
            .getContentAsString();
    JsonNode json = JsonMapper.builder().build().readTree(body);
    return json.get("id").asString();
  }

  static void cancelAll(JobService jobs) {
    for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING)) {
      jobs.list(state, 0, 100).items().forEach(job -> jobs.cancel(job.id()));
    }
  }

  @Nested
  @WebMvcTest(
      controllers = CheckController.class,
      properties = {
        "reach.access.keys[0].name=alice",
        "reach.access.keys[0].secret=" + ALICE,
        "reach.access.keys[1].name=bob",
        "reach.access.keys[1].secret=" + BOB,
        "reach.access.keys[2].name=root",
        "reach.access.keys[2].secret=" + ROOT,
        "reach.access.keys[2].admin=true"
      })
  @Import({CheckControllerTest.Beans.class, SecurityConfiguration.class})
  class WithKeys {

    @Autowired MockMvc mvc;
    @Autowired JobService jobs;

    @BeforeEach
    void empty() {
      cancelAll(jobs);
    }

    @Test
    void writesNeedAKeyEvenFromLoopback() throws Exception {
      mvc.perform(submit())
          .andExpect(status().isUnauthorized())
          .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"reachability\""))
          .andExpect(content().contentTypeCompatibleWith(PROBLEM))
          .andExpect(jsonPath("$.status").value(401))
          .andExpect(jsonPath("$.detail").value(containsString("Authorization: Bearer")));
      mvc.perform(delete("/api/v1/checks/00000000-0000-0000-0000-000000000000"))
          .andExpect(status().isUnauthorized());
    }

    @Test
    void aWrongKeyOrSchemeIs401WhateverTheEndpoint() throws Exception {
      for (String authorization :
          List.of(
              "Bearer nope-0123456789abcdef",
              "Basic YWxpY2U6c2VjcmV0",
              "Bearer",
              "Bearer " + ALICE + "x")) {
        mvc.perform(get("/api/v1/checks").header(HttpHeaders.AUTHORIZATION, authorization))
            .andExpect(status().isUnauthorized())
            .andExpect(content().contentTypeCompatibleWith(PROBLEM))
            .andExpect(jsonPath("$.detail").value(containsString("valid API key")));
      }
      mvc.perform(submit().with(key(ALICE + "x"))).andExpect(status().isUnauthorized());
    }

    @Test
    void jobsBelongToTheKeyThatMadeThem() throws Exception {
      String alices = jobId(mvc, key(ALICE));
      String bobs = jobId(mvc, key(BOB));

      mvc.perform(get("/api/v1/checks/" + alices).with(key(ALICE)))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.owner").value("alice"));
      // to anyone else the job does not exist: not readable, not cancellable, not listed
      mvc.perform(get("/api/v1/checks/" + alices).with(key(BOB))).andExpect(status().isNotFound());
      mvc.perform(delete("/api/v1/checks/" + alices).with(key(BOB)))
          .andExpect(status().isNotFound());
      mvc.perform(get("/api/v1/checks/" + alices)).andExpect(status().isNotFound());
      mvc.perform(get("/api/v1/checks").with(key(BOB)))
          .andExpect(jsonPath("$.items", hasSize(1)))
          .andExpect(jsonPath("$.items[0].id").value(bobs));
      mvc.perform(get("/api/v1/checks"))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.items", hasSize(0)))
          .andExpect(jsonPath("$.total").value(0));

      // an admin key sees and cancels everyone's
      mvc.perform(get("/api/v1/checks").with(key(ROOT))).andExpect(jsonPath("$.items", hasSize(2)));
      mvc.perform(delete("/api/v1/checks/" + bobs).with(key(ROOT)))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.state").value("CANCELLED"));
      mvc.perform(delete("/api/v1/checks/" + alices).with(key(ALICE)))
          .andExpect(jsonPath("$.state").value("CANCELLED"));
    }

    @Test
    void readsOfTheNodeStayOpenButShowNoJobs() throws Exception {
      mvc.perform(get("/api/v1/checks").with(REMOTE))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.total").value(0));
    }
  }

  @Nested
  @WebMvcTest(controllers = CheckController.class)
  @Import({CheckControllerTest.Beans.class, SecurityConfiguration.class})
  class WithoutKeys {

    @Autowired MockMvc mvc;
    @Autowired JobService jobs;

    @BeforeEach
    void empty() {
      cancelAll(jobs);
    }

    /** A fresh install is not an open relay: writes from other machines are refused. */
    @Test
    void onlyLoopbackCallersMayWrite() throws Exception {
      String local = jobId(mvc, request -> request);
      mvc.perform(submit().with(REMOTE))
          .andExpect(status().isForbidden())
          .andExpect(header().doesNotExist(HttpHeaders.WWW_AUTHENTICATE))
          .andExpect(content().contentTypeCompatibleWith(PROBLEM))
          .andExpect(jsonPath("$.detail").value(containsString("loopback")));
      mvc.perform(delete("/api/v1/checks/" + local).with(REMOTE)).andExpect(status().isForbidden());
      // ... nor can they see the local caller's jobs
      mvc.perform(get("/api/v1/checks/" + local).with(REMOTE)).andExpect(status().isNotFound());
      mvc.perform(get("/api/v1/checks").with(REMOTE)).andExpect(jsonPath("$.total").value(0));
      mvc.perform(get("/api/v1/checks")).andExpect(jsonPath("$.items[0].owner").value("local"));
    }

    /**
     * DNS rebinding: a web page whose own name now resolves to 127.0.0.1 calls from loopback, but
     * names the service by that name. It is not the trusted local caller; localhost, a name under
     * it and IP literals are.
     */
    @Test
    void aLoopbackCallerNamingTheServiceByAnotherNameIsNotTheLocalCaller() throws Exception {
      for (String rebound : List.of("rebound.example", "127.0.0.1.nip.io", "localhost.example")) {
        mvc.perform(submit().with(serverName(rebound)))
            .andExpect(status().isForbidden())
            .andExpect(content().contentTypeCompatibleWith(PROBLEM))
            .andExpect(jsonPath("$.detail").value(containsString("DNS name")));
      }
      for (String local :
          List.of("localhost", "LOCALHOST.", "dash.localhost", "127.0.0.1", "[::1]")) {
        // the local caller's write goes through (here: to a job that does not exist)
        mvc.perform(delete("/api/v1/checks/" + UUID.randomUUID()).with(serverName(local)))
            .andExpect(status().isNotFound());
      }
    }

    private static RequestPostProcessor serverName(String name) {
      return request -> {
        request.setServerName(name);
        return request;
      };
    }

    @Test
    void aKeyWhereNoneIsConfiguredIs401() throws Exception {
      mvc.perform(submit().with(key(ALICE))).andExpect(status().isUnauthorized());
    }
  }

  @Nested
  @WebMvcTest(
      controllers = CheckController.class,
      properties = {
        "reach.access.keys[0].name=alice",
        "reach.access.keys[0].secret=" + ALICE,
        "reach.access.protect-reads=true"
      })
  @Import({CheckControllerTest.Beans.class, SecurityConfiguration.class})
  class ProtectedReads {

    @Autowired MockMvc mvc;

    @Test
    void readsNeedAKeyToo() throws Exception {
      mvc.perform(get("/api/v1/checks"))
          .andExpect(status().isUnauthorized())
          .andExpect(content().contentTypeCompatibleWith(PROBLEM));
      mvc.perform(get("/api/v1/checks").with(key(ALICE))).andExpect(status().isOk());
    }
  }

  @Nested
  @WebMvcTest(
      controllers = CheckController.class,
      properties = "reach.access.submissions-per-minute=2")
  @Import({CheckControllerTest.Beans.class, SecurityConfiguration.class})
  class SubmissionBudget {

    @Autowired MockMvc mvc;
    @Autowired JobService jobs;

    @Test
    void aClientBeyondItsBudgetIs429WithRetryAfter() throws Exception {
      cancelAll(jobs);
      jobId(mvc, request -> request);
      mvc.perform(submit().content("{\"addresses\":[\"nope\"]}"))
          .andExpect(status().isBadRequest()); // invalid ones count too
      mvc.perform(submit())
          .andExpect(status().isTooManyRequests())
          .andExpect(
              header()
                  .string(
                      HttpHeaders.RETRY_AFTER,
                      matchesPattern("[1-9]|[12][0-9]|30"))) // a token every 30 s
          .andExpect(content().contentTypeCompatibleWith(PROBLEM))
          .andExpect(jsonPath("$.detail").value(containsString("2 check submissions per minute")));
      cancelAll(jobs);
    }
  }
}
