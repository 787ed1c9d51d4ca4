// The built-in dashboard: reads the service's own REST API (same origin), follows verdict changes
// on its event stream and submits checks. No framework, no build step. Everything shown comes
// from the network (addresses, agent versions, peers' answers), so it is only ever set as text,
// never parsed as HTML.

const KEY_STORAGE = 'reach.apiKey';
/** How often the full views are read again (the event stream carries verdict changes only). */
const REFRESH_MS = 10_000;
/** How often jobs are read while one is unfinished. */
const JOB_POLL_MS = 1_000;
/** The event stream is read again after this, doubling up to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
/** An event larger than this is dropped with the connection: the server's are a few hundred bytes. */
const MAX_EVENT_CHARS = 64 * 1024;
/** Jobs listed. */
const JOBS_SHOWN = 10;
/** Verdict events kept for {@code data-verdict-events}. */
const RECENT_EVENTS = 50;
const recentEvents = [];
/** Verdict changes bunch up: one refresh for a burst. */
const REFRESH_DEBOUNCE_MS = 300;

const $ = (id) => document.getElementById(id);

let apiKey = sessionStorage.getItem(KEY_STORAGE);

class NeedsKey extends Error {
}

// ---- HTTP ----------------------------------------------------------------------------------------

function headers(extra) {
  const h = {Accept: 'application/json', ...extra};
  if (apiKey) {
    h.Authorization = 'Bearer ' + apiKey;
  }
  return h;
}

/** A problem+json body, or a stand-in when the answer is not one. */
async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return {title: response.status + ' ' + response.statusText};
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {...options, headers: headers(options.headers)});
  if (response.status === 401) {
    const problem = await problemOf(response);
    askForKey(problem.detail || problem.title);
    throw new NeedsKey();
  }
  return response;
}

async function getJson(path) {
  const response = await api(path);
  if (!response.ok) {
    const problem = await problemOf(response);
    const error = new Error(problem.detail || problem.title);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// ---- the API key ---------------------------------------------------------------------------------

function askForKey(reason) {
  $('key-section').hidden = false;
  $('key-reason').textContent = apiKey
      ? 'The API key was not accepted: ' + (reason || 'unauthorized') + '.'
      : 'This service needs an API key: ' + (reason || 'unauthorized') + '.';
  setLive('Waiting for an API key');
}

function useKey(key) {
  apiKey = key || null;
  if (apiKey) {
    sessionStorage.setItem(KEY_STORAGE, apiKey);
  } else {
    sessionStorage.removeItem(KEY_STORAGE);
  }
  $('forget-key').hidden = !apiKey;
}

// ---- rendering helpers -------------------------------------------------------------------------

/** An element with text or child nodes; attributes as given. Text is always text. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'className') {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function badge(value) {
  return el('span', {className: 'badge ' + value}, value);
}

function when(instant) {
  if (!instant) {
    return '–';
  }
  const date = new Date(instant);
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const text = Math.abs(seconds) < 90
      ? (seconds >= 0 ? 'in ' + seconds + ' s' : -seconds + ' s ago')
      : date.toLocaleString();
  return el('time', {datetime: instant, title: instant}, text);
}

function list(items, render = (x) => el('code', {}, x)) {
  if (!items || items.length === 0) {
    return '–';
  }
  return el('ul', {}, items.map((item) => el('li', {}, render(item))));
}

function setLive(text) {
  $('live').textContent = text;
}

function showError(where, error) {
  if (!(error instanceof NeedsKey)) {
    $(where).replaceChildren(el('p', {}, String(error.message || error)));
  }
}

// ---- the node ------------------------------------------------------------------------------------

async function loadNode() {
  const node = await getJson('api/v1/node');
  $('node').replaceChildren(
      el('dt', {}, 'Peer id'), el('dd', {}, el('code', {id: 'peer-id-value'}, node.peerId)),
      el('dt', {}, 'Agent'), el('dd', {}, node.agentVersion),
      el('dt', {}, 'Listen addresses'), el('dd', {}, list(node.listenAddresses)),
      el('dt', {}, 'Announced'), el('dd', {}, list(node.announceAddresses)),
      el('dt', {}, 'Advertised (identify)'), el('dd', {}, list(node.advertisedAddresses)),
      el('dt', {}, 'Confirmed reachable'), el('dd', {}, list(node.confirmedAddresses)));
}

// ---- reachability --------------------------------------------------------------------------------

function historyOf(address) {
  return el('ol', {className: 'history', 'aria-label': 'recent outcomes'},
      address.history.map((h) => el('li', {
            className: h.outcome,
            title: h.outcome + ' at ' + h.at + ' from ' + h.server,
          },
          el('span', {'aria-hidden': 'true'},
              h.outcome === 'SUCCESS' ? '✓' : h.outcome === 'FAILURE' ? '✗' : '–'),
          el('span', {className: 'visually-hidden'}, h.outcome + ' at ' + h.at))));
}

function addressRow(a) {
  return el('tr', {'data-address': a.address},
      el('th', {scope: 'row'}, el('span', {className: 'addr'}, a.address),
          a.secondary ? el('span', {className: 'meta'}, ' (secondary)') : null),
      el('td', {}, a.transport),
      el('td', {className: 'verdict'}, badge(a.verdict)),
      el('td', {}, String(a.confidence)),
      el('td', {}, a.successes + ' / ' + a.failures),
      el('td', {}, historyOf(a)),
      el('td', {}, a.probesInFlight > 0 ? 'probing now' : when(a.nextProbeAt)));
}

function diagnosisOf(d) {
  return el('article', {className: 'diagnosis', 'data-diagnosis': d.code},
      el('h3', {}, d.title),
      d.addresses && d.addresses.length ? el('p', {}, 'Addresses: ', d.addresses.join(', ')) : null,
      el('p', {}, el('strong', {}, 'Evidence:')),
      el('ul', {}, d.evidence.map((fact) => el('li', {}, fact))),
      el('p', {}, el('strong', {}, 'What to do: '), d.hint));
}

async function loadReachability() {
  let report;
  try {
    report = await getJson('api/v1/reachability');
  } catch (error) {
    if (error.status === 404) {
      $('overall').replaceChildren('not watched (the monitor is off)');
      return;
    }
    throw error;
  }
  $('overall').className = 'badge ' + report.reachability;
  $('overall').textContent = report.reachability;
  $('reach-notice').hidden = !report.notice;
  $('reach-notice').textContent = report.notice || '';
  $('diagnoses').replaceChildren(...(report.diagnoses || []).map(diagnosisOf));
  $('addresses').tBodies[0].replaceChildren(...report.addresses.map(addressRow));
}

/** Shows a verdict change at once; the rest of the row follows with the next read. */
function applyVerdict(event) {
  for (const row of $('addresses').tBodies[0].rows) {
    if (row.dataset.address === event.address) {
      row.querySelector('.verdict').replaceChildren(badge(event.verdict));
      return;
    }
  }
}

let refreshTimer = null;

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadReachability().catch(() => {
  }), REFRESH_DEBOUNCE_MS);
}

/**
 * Follows {@code /api/v1/reachability/events}. Read with fetch rather than EventSource: that one
 * cannot send the API key. Every connection starts with the current verdicts, so nothing is asked
 * to be replayed. Backs off while connections fail or end without an event.
 */
async function followEvents() {
  let wait = RECONNECT_MIN_MS;
  for (; ;) {
    try {
      const response = await fetch('api/v1/reachability/events',
          {headers: headers({Accept: 'text/event-stream'})});
      if (response.status === 401) {
        askForKey((await problemOf(response)).detail);
        return;
      }
      if (response.status === 404) {
        setLive('Monitor off: nothing to follow');
        return;
      }
      if (!response.ok) {
        throw new Error((await problemOf(response)).title);
      }
      setLive('Live: verdict changes appear as they happen');
      if (await readEvents(response.body) > 0) {
        // a stream that delivered something was healthy: start backing off afresh
        wait = RECONNECT_MIN_MS;
      }
      setLive('Event stream ended; reconnecting…');
    } catch (error) {
      setLive('Event stream lost (' + (error.message || error) + '); reconnecting…');
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, RECONNECT_MAX_MS);
  }
}

/** Reads server-sent events until the stream ends; answers how many were dispatched. */
async function readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = {type: 'message', data: [], size: 0};
  let dispatched = 0;
  try {
    for (; ;) {
      const {value, done} = await reader.read();
      if (done) {
        return dispatched;
      }
      buffer += value;
      let end;
      // a line ends at \n, \r\n or \r; a \r at the very end may be half of a \r\n: wait
      while ((end = buffer.search(/\r\n|\r(?!$)|\n/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
        if (line === '') {
          if (event.data.length > 0) {
            dispatch(event.type, event.data.join('\n'));
            dispatched++;
          }
          event = {type: 'message', data: [], size: 0};
          continue;
        }
        const colon = line.indexOf(':');
        if (colon === 0) {
          continue; // a comment: the keep-alive
        }
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') {
          event.type = text;
        } else if (field === 'data') {
          event.data.push(text);
          event.size += text.length;
        }
      }
      // the server's events are a few hundred characters: anything this large is not one of them
      if (buffer.length + event.size > MAX_EVENT_CHARS) {
        throw new Error('an event too large');
      }
    }
  } finally {
    reader.cancel().catch(() => {
    });
  }
}

function dispatch(type, data) {
  if (type !== 'verdict') {
    return;
  }
  let event;
  try {
    event = JSON.parse(data);
  } catch {
    return;
  }
  applyVerdict(event);
  // the last few, where a test (or a curious user) can read them
  recentEvents.push({address: event.address, verdict: event.verdict, previous: event.previous});
  recentEvents.splice(0, Math.max(0, recentEvents.length - RECENT_EVENTS));
  document.documentElement.dataset.verdictEvents = JSON.stringify(recentEvents);
  refreshSoon();
}

// ---- the pool ------------------------------------------------------------------------------------

function serverState(s) {
  const ok = s.responses.OK || 0;
  const refused = (s.responses.E_REQUEST_REJECTED || 0) + (s.responses.E_DIAL_REFUSED || 0);
  if (s.speaksAutonatV2 === false) {
    return 'does not serve AutoNAT v2';
  }
  if (refused > 0 && ok === 0) {
    return 'refusing';
  }
  if (ok > 0) {
    return 'answering';
  }
  return s.connected ? 'connected' : 'not asked yet';
}

async function loadServers() {
  const pool = await getJson('api/v1/servers');
  const states = pool.servers.map(serverState);
  const count = (state) => states.filter((s) => s === state).length;
  const discovered = pool.servers.filter((s) => s.source === 'DISCOVERED').length;
  $('servers-summary').textContent = pool.servers.length + ' servers: '
      + count('answering') + ' answering, ' + count('refusing') + ' refusing, '
      + discovered + ' discovered on the DHT'
      + (pool.discovery ? ' (discovery on: ' + pool.discovery.servers + ' of '
          + pool.discovery.target + ' wanted, ' + pool.discovery.candidates + ' candidates)'
          : '');
  $('servers-notice').hidden = !pool.notice;
  $('servers-notice').textContent = pool.notice || '';
  $('servers').tBodies[0].replaceChildren(...pool.servers.map((s, i) => el('tr', {},
      el('th', {scope: 'row'}, el('span', {className: 'addr'}, s.address)),
      el('td', {}, s.source, s.foundVia ? el('span', {className: 'meta'}, ' via ' + s.foundVia)
          : null),
      el('td', {}, states[i]),
      el('td', {}, String(s.responses.OK || 0)),
      el('td', {}, String((s.responses.E_REQUEST_REJECTED || 0) + (s.responses.E_DIAL_REFUSED || 0))),
      el('td', {}, String(s.withoutResponse)))));
}

// ---- jobs ----------------------------------------------------------------------------------------

const openJobs = new Set();
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

function jobItem(job, summaryParts, body) {
  const details = el('details', {open: openJobs.has(job.id)},
      el('summary', {}, summaryParts),
      body);
  details.addEventListener('toggle', () => details.open ? openJobs.add(job.id)
      : openJobs.delete(job.id));
  const cancel = TERMINAL.has(job.state) ? null
      : el('button', {type: 'button', className: 'secondary'}, 'Cancel');
  if (cancel) {
    cancel.addEventListener('click', () => api(job.path, {method: 'DELETE'}).catch(() => {
    }).then(loadJobs));
  }
  return el('li', {'data-job': job.id, 'data-state': job.state}, details, cancel);
}

function checkItem(job) {
  job.path = 'api/v1/checks/' + encodeURIComponent(job.id);
  const results = job.results.map((r) => el('tr', {'data-address': r.address},
      el('th', {scope: 'row'}, el('span', {className: 'addr'}, r.address)),
      el('td', {}, r.transport),
      el('td', {className: 'verdict'}, badge(r.verdict)),
      el('td', {}, r.attempts.map((a) => a.reachability || a.error || a.responseStatus).join(', ')),
      el('td', {}, r.warnings.join('; '))));
  return jobItem(job,
      [badge(job.state), ' ', job.results.map((r) => r.verdict).join(', ') || 'no result yet',
        el('span', {className: 'meta'}, ' · ', when(job.createdAt), ' · ', job.id)],
      el('div', {},
          job.error ? el('p', {}, 'Error: ', job.error) : null,
          job.results.length === 0 ? el('p', {}, 'No address checked yet.') : el('div',
              {className: 'table-wrap'}, el('table', {},
                  el('thead', {}, el('tr', {}, ['Address', 'Transport', 'Verdict', 'Answers',
                    'Warnings'].map((h) => el('th', {scope: 'col'}, h)))),
                  el('tbody', {}, results)))));
}

function peerCheckItem(job) {
  job.path = 'api/v1/peer-checks/' + encodeURIComponent(job.id);
  const rows = job.addresses.map((a) => el('tr', {},
      el('th', {scope: 'row'}, el('span', {className: 'addr'}, a.address)),
      el('td', {}, a.source),
      el('td', {className: 'verdict'}, a.verdict ? badge(a.verdict) : a.skipped ? 'skipped' : '…'),
      el('td', {}, a.skipped || a.error || (a.connectTimeMs != null ? a.connectTimeMs + ' ms' : ''))));
  return jobItem(job,
      [badge(job.state), ' ', job.verdict ? badge(job.verdict) : '', ' ',
        el('code', {}, job.peer),
        el('span', {className: 'meta'}, ' · ', when(job.createdAt))],
      el('div', {},
          job.error ? el('p', {}, 'Error: ', job.error) : null,
          job.agentVersion ? el('p', {}, 'Runs ', job.agentVersion,
              job.servesAutonatV2 ? ' and serves AutoNAT v2' : '') : null,
          el('div', {className: 'table-wrap'}, el('table', {},
              el('thead', {}, el('tr', {}, ['Address', 'Source', 'Verdict', 'Details'].map(
                  (h) => el('th', {scope: 'col'}, h)))),
              el('tbody', {}, rows)))));
}

let jobTimer = null;
let peerChecksEnabled = true;

let jobsLoading = null;
let jobsAgain = false;

/**
 * Reads the job lists one read at a time (so one timer at most): a call while a read runs asks
 * for one more read after it, which sees what that call's caller just submitted.
 */
function loadJobs() {
  if (jobsLoading) {
    jobsAgain = true;
    return jobsLoading;
  }
  jobsLoading = (async () => {
    do {
      jobsAgain = false;
      await readJobs();
    } while (jobsAgain);
  })().finally(() => {
    jobsLoading = null;
  });
  return jobsLoading;
}

async function readJobs() {
  clearTimeout(jobTimer);
  let unfinished = false;
  try {
    const checks = await getJson('api/v1/checks?size=' + JOBS_SHOWN);
    $('checks').replaceChildren(...checks.items.map(checkItem));
    unfinished = checks.items.some((j) => !TERMINAL.has(j.state));
    if (peerChecksEnabled) {
      try {
        const peers = await getJson('api/v1/peer-checks?size=' + JOBS_SHOWN);
        $('peer-checks').replaceChildren(...peers.items.map(peerCheckItem));
        unfinished ||= peers.items.some((j) => !TERMINAL.has(j.state));
      } catch (error) {
        if (error.status !== 404) {
          throw error;
        }
        peerChecksEnabled = false;
        $('peer-disabled').hidden = false;
        $('peer-form').hidden = true;
      }
    }
  } catch (error) {
    showError('checks', error);
  }
  jobTimer = setTimeout(loadJobs, unfinished ? JOB_POLL_MS : REFRESH_MS);
}

function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

/** Posts a form's request; shows the problem's field errors next to it. */
async function submit(path, body, errorsId) {
  const errors = $(errorsId);
  errors.replaceChildren();
  let response;
  try {
    response = await api(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body),
    });
  } catch (error) {
    if (!(error instanceof NeedsKey)) {
      errors.replaceChildren(el('p', {}, String(error.message || error)));
    }
    return false;
  }
  if (response.status === 202) {
    return true;
  }
  const problem = await problemOf(response);
  errors.replaceChildren(
      el('p', {}, problem.title + (problem.detail ? ': ' + problem.detail : '')),
      problem.errors ? el('ul', {}, problem.errors.map((e) => el('li', {},
          el('code', {}, e.field), ': ', e.reason,
          e.value != null ? [' (', el('code', {}, e.value), ')'] : null))) : null);
  return false;
}

function wireForms() {
  $('check-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const addresses = lines($('check-addresses').value);
    const confirmations = $('check-confirmations').value.trim();
    const body = {};
    if (addresses.length > 0) {
      body.addresses = addresses;
    }
    if (confirmations !== '') {
      const n = Number(confirmations);
      body.confirmations = Number.isInteger(n) ? n : confirmations;
    }
    if (await submit('api/v1/checks', body, 'check-errors')) {
      loadJobs();
    }
  });
  $('peer-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {peer: $('peer-id').value.trim()};
    const addresses = lines($('peer-addresses').value);
    if (addresses.length > 0) {
      body.addresses = addresses;
    }
    if (await submit('api/v1/peer-checks', body, 'peer-errors')) {
      loadJobs();
    }
  });
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    useKey($('key-input').value.trim());
    $('key-input').value = '';
    $('key-section').hidden = true;
    start();
  });
  $('forget-key').addEventListener('click', () => {
    useKey(null);
    location.reload();
  });
}

// ---- start ---------------------------------------------------------------------------------------

let refreshing = null;
let following = false;

async function loadAll() {
  const results = await Promise.allSettled([loadNode(), loadReachability(), loadServers()]);
  const failed = results.find((r) => r.status === 'rejected' && !(r.reason instanceof NeedsKey));
  if (failed) {
    setLive('Could not read the service: ' + (failed.reason.message || failed.reason));
  }
  const keyed = results.every((r) => !(r.reason instanceof NeedsKey));
  if (keyed) {
    // an answer to a request sent with an older key may have asked for one meanwhile
    $('key-section').hidden = true;
  }
  return keyed;
}

async function start() {
  if (!(await loadAll())) {
    return;
  }
  loadJobs();
  if (!following) {
    following = true;
    followEvents().finally(() => {
      following = false;
    });
  }
  clearInterval(refreshing);
  refreshing = setInterval(() => {
    if (!document.hidden) {
      loadAll();
    }
  }, REFRESH_MS);
}

useKey(apiKey);
wireForms();
start();
