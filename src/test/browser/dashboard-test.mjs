// Drives Debian's Chromium (headless, through playwright-core) against the built-in dashboard of a
// service the Java test started on loopback (DashboardBrowserTest). Talks to the test over
// stdin/stdout in JSON lines: {"step": ...} as it goes, {"await": "forward"} when the test should
// open the port forward that turns the announced address REACHABLE (answered with a line "go"),
// and last {"ok": true} or {"ok": false, "error": ...}; the exit code says the same.
//
// node dashboard-test.mjs <plain|keys> <base url> <listen address> <announced address|-> <out dir>
//     [<api key>]
import {chromium} from 'playwright-core';
import {createInterface} from 'node:readline';
import {mkdirSync} from 'node:fs';

const [mode, base, listen, announced, outDir, key] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Verdicts come from probes every few seconds; every wait is bounded by this. */
const WAIT_MS = 60_000;
const PHONE = {width: 390, height: 844};

const say = (object) => process.stdout.write(JSON.stringify(object) + '\n');
const step = (text) => say({step: text});

const stdin = createInterface({input: process.stdin});
const lines = stdin[Symbol.asyncIterator]();

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** The verdict badge of an address's row, once it reads `verdict`. */
async function awaitVerdict(page, address, verdict) {
  await page.locator(`#addresses tr[data-address="${address}"] .verdict`)
      .filter({hasText: new RegExp('^' + verdict + '$')})
      .waitFor({timeout: WAIT_MS});
}

/** Console errors and failed requests, except those `expected` names. */
function watch(page, problems) {
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push('console: ' + message.text() + ' at ' + (message.location().url || '?'));
    }
  });
  page.on('pageerror', (error) => problems.push('page error: ' + error.message));
}

async function accessibility(page) {
  const findings = await page.evaluate(() => {
    const out = [];
    if (!document.documentElement.lang) {
      out.push('no lang on <html>');
    }
    for (const control of document.querySelectorAll('input, textarea, select')) {
      if (control.type !== 'hidden' && control.labels.length === 0) {
        out.push('no label for #' + control.id);
      }
    }
    for (const button of document.querySelectorAll('button')) {
      if (!button.textContent.trim() && !button.getAttribute('aria-label')) {
        out.push('a button without a name');
      }
    }
    for (const table of document.querySelectorAll('main > section table')) {
      if (!table.caption && !table.closest('[aria-labelledby]')) {
        out.push('a table without a caption');
      }
    }
    if (document.querySelectorAll('h1').length !== 1) {
      out.push('not exactly one h1');
    }
    return out;
  });
  check(findings.length === 0, 'accessibility: ' + findings.join('; '));
  // the keyboard reaches the skip link first, then the tools
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.textContent) === 'Skip to content',
      'the first Tab does not reach the skip link');
}

async function plain(browser) {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  let loads = 0;
  page.on('load', () => loads++);

  await page.goto(base + '/');
  step('loaded');
  await awaitVerdict(page, listen, 'REACHABLE');
  check((await page.locator('#overall').textContent()) === 'PUBLIC', 'the node is not PUBLIC');
  check((await page.locator('#peer-id-value').textContent()).startsWith('12D3KooW'),
      'no peer id shown');
  await page.locator('#servers tbody tr').first().waitFor({timeout: WAIT_MS});
  step('listen address REACHABLE, node and pool shown');
  await accessibility(page);
  step('labels, names, captions, skip link');

  await awaitVerdict(page, announced, 'UNREACHABLE');
  // the regular re-read is far off: what follows must come over the event stream
  const events = async () => JSON.parse(
      await page.evaluate(() => document.documentElement.dataset.verdictEvents || '[]'));
  const arrived = (list) => list.some((e) => e.address === announced && e.verdict === 'REACHABLE'
      && e.previous === 'UNKNOWN');
  check(!arrived(await events()), 'a REACHABLE event before the forward');
  say({await: 'forward'});
  const go = await lines.next();
  check(!go.done && go.value.trim() === 'go', 'the test did not open the forward');
  await page.waitForFunction((address) => JSON.parse(
          document.documentElement.dataset.verdictEvents || '[]')
          .some((e) => e.address === address && e.verdict === 'REACHABLE'),
      announced, {timeout: WAIT_MS});
  await awaitVerdict(page, announced, 'REACHABLE');
  const received = await events();
  check(arrived(received), 'no UNKNOWN -> REACHABLE event for ' + announced + ': '
      + JSON.stringify(received));
  check(loads === 1, 'the page was loaded ' + loads + ' times');
  step('announced address UNREACHABLE then REACHABLE without a reload, by its verdict event');

  // a QUIC address where nothing listens on the IP whose TCP is reachable: diagnosed, with its
  // evidence and a hint
  const udp = page.locator('#diagnoses [data-diagnosis="UDP_BLOCKED"]');
  await udp.waitFor({timeout: WAIT_MS});
  const text = await udp.textContent();
  check(text.includes('UDP blocked') && text.includes('Evidence') && text.includes('What to do'),
      'the diagnosis lacks its title, evidence or hint: ' + text);
  step('UDP blocked diagnosed with evidence and a hint');

  await page.locator('#check-addresses').fill(listen);
  await page.getByRole('button', {name: 'Check', exact: true}).click();
  const job = page.locator('#checks li[data-state="SUCCEEDED"]').first();
  await job.waitFor({timeout: WAIT_MS});
  check((await job.locator('summary').textContent()).match(/\bREACHABLE\b/),
      'the finished check does not say REACHABLE');
  await job.locator('summary').click();
  await job.locator(`tr[data-address="${listen}"] .verdict`).filter({hasText: /^REACHABLE$/})
      .waitFor({timeout: WAIT_MS});
  step('a submitted check finished REACHABLE on screen');

  // bad input: the problem's field error is shown next to the form (the 400 is expected)
  await page.locator('#peer-id').fill('not-a-peer-id');
  await page.getByRole('button', {name: 'Check peer'}).click();
  await page.locator('#peer-errors li').filter({hasText: 'peer'}).waitFor({timeout: WAIT_MS});
  const expected = (p) => p.includes('status of 400') && p.includes('/api/v1/peer-checks');
  step('a bad peer id answered with its field error');

  mkdirSync(outDir, {recursive: true});
  await page.screenshot({path: outDir + '/dashboard.png', fullPage: true});
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate((width) => ({
    width: document.documentElement.scrollWidth,
    // the outermost elements sticking out, for the message
    culprits: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width
            && e.parentElement.getBoundingClientRect().right <= width)
        .slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className),
  }), PHONE.width);
  check(overflow.width <= PHONE.width, 'on a phone the page is ' + overflow.width
      + ' px wide: ' + overflow.culprits.join(', '));
  await page.screenshot({path: outDir + '/dashboard-phone.png', fullPage: true});
  step('screenshots written; no sideways scrolling on a phone');

  // Swagger UI, linked from the dashboard, works under the same content security policy
  await page.setViewportSize({width: 1280, height: 900});
  await page.getByRole('link', {name: 'API (Swagger UI)'}).click();
  await page.locator('.swagger-ui .info .title').waitFor({timeout: WAIT_MS});
  step('Swagger UI loads under the policy');

  const unexpected = problems.filter((p) => !expected(p));
  check(unexpected.length === 0, 'console: ' + unexpected.join(' | '));
  await context.close();
}

async function keys(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  await page.goto(base + '/');
  await page.locator('#key-section').waitFor({state: 'visible', timeout: WAIT_MS});
  step('asked for a key');

  await page.locator('#key-input').fill('wrong-key-0123456789');
  await page.getByRole('button', {name: 'Use this key'}).click();
  await page.locator('#key-reason').filter({hasText: 'not accepted'}).waitFor({timeout: WAIT_MS});
  step('a wrong key is refused');

  await page.locator('#key-input').fill(key);
  await page.getByRole('button', {name: 'Use this key'}).click();
  await awaitVerdict(page, listen, 'REACHABLE');
  check(await page.locator('#key-section').isHidden(), 'still asking for a key');
  const stored = await page.evaluate(() => ({
    session: sessionStorage.getItem('reach.apiKey'),
    local: localStorage.length,
    cookies: document.cookie,
  }));
  check(stored.session === key && stored.local === 0 && stored.cookies === '',
      'the key is not kept in the session only: ' + JSON.stringify(stored));
  step('the key opens the dashboard and is kept in session storage only');

  await page.reload();
  await awaitVerdict(page, listen, 'REACHABLE');
  check(await page.locator('#key-section').isHidden(), 'a reload asked again');
  await page.locator('#check-addresses').fill(listen);
  await page.getByRole('button', {name: 'Check', exact: true}).click();
  await page.locator('#checks li[data-state="SUCCEEDED"]').first().waitFor({timeout: WAIT_MS});
  step('a reload keeps it; a check with it finishes');

  const other = await browser.newContext();
  const fresh = await other.newPage();
  await fresh.goto(base + '/');
  await fresh.locator('#key-section').waitFor({state: 'visible', timeout: WAIT_MS});
  await other.close();
  step('another session is asked again');

  await page.getByRole('button', {name: 'Forget API key'}).click();
  await page.locator('#key-section').waitFor({state: 'visible', timeout: WAIT_MS});
  check(await page.evaluate(() => sessionStorage.getItem('reach.apiKey')) === null,
      'the key was not forgotten');
  step('forgotten on request');

  // the 401s were expected: they are how the page learns it needs a key
  const unexpected = problems.filter((p) => !p.includes('status of 401'));
  check(unexpected.length === 0, 'console: ' + unexpected.join(' | '));
  await context.close();
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  // no Google services, no sandbox (CI runs as root), nothing but the service's loopback pages
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  await (mode === 'keys' ? keys(browser) : plain(browser));
  say({ok: true});
} catch (error) {
  say({ok: false, error: String(error && error.stack || error)});
  process.exitCode = 1;
} finally {
  await browser.close();
  stdin.close();
}
