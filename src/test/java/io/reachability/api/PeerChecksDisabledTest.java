package io.reachability.api;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.access.SecurityConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** With {@code reach.peer-checks.enabled=false} there is no peer-check service: every call 404s. */
@WebMvcTest(PeerCheckController.class)
@Import(SecurityConfiguration.class)
class PeerChecksDisabledTest {

  @Autowired MockMvc mvc;

  @Test
  void everyPeerCheckEndpointSaysItIsOff() throws Exception {
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"peer\":\"" + PeerCheckControllerTest.PEER + "\"}"))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.title").value("Peer checks disabled"))
        .andExpect(
            jsonPath("$.detail").value("peer checks are off (reach.peer-checks.enabled=false)"));
    mvc.perform(get("/api/v1/peer-checks")).andExpect(status().isNotFound());
  }
}
