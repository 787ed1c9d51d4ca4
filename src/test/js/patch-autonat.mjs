// Test-only patch of js-libp2p's private-address checks, so AutoNAT v2 can be tested on loopback.
//
// Run by `npm ci` (the `postinstall` script of package.json); safe to run again by hand:
//   node patch-autonat.mjs            patch node_modules (no-op when already patched)
//   node patch-autonat.mjs --check    only report; exit 1 if a file is not patched
//
// js-libp2p refuses private and loopback addresses in AutoNAT v2 with no option to allow them. This
// rewrites three `if (isPrivate…(…)) {` lines in node_modules (never committed) so that each check is
// skipped ONLY when the environment variable JS_AUTONAT_ALLOW_PRIVATE names its part at run time:
//
//   JS_AUTONAT_ALLOW_PRIVATE=server       server.js: dial back private/loopback addresses
//   JS_AUTONAT_ALLOW_PRIVATE=client       client.js + transport-addresses.js: verify private addresses
//   JS_AUTONAT_ALLOW_PRIVATE=1 (or all)   both; several parts may be given comma-separated
//
// Unset (the default) behaves exactly like the unpatched package. If the original text is not found
// exactly once (a version bump changed the file) this exits non-zero with a message saying what to do.
// See README.md ("The AutoNAT v2 loopback patch").
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ENV = 'JS_AUTONAT_ALLOW_PRIVATE'
const MARK = '/* patched by src/test/js/patch-autonat.mjs */'

// true when the env var names `part` (or 1/all); evaluated at every check, so one install serves
// patched and unpatched peers alike
const guard = (part) =>
  `(globalThis.process?.env?.${ENV} ?? '').split(',').some(v => ['1', 'all', '${part}'].includes(v.trim()))`

export const PATCHES = [
  {
    file: 'node_modules/@libp2p/autonat-v2/dist/src/server.js',
    part: 'server',
    // the server throws (and sends nothing) for a requested address with a private IP
    original: 'if (isPrivateIp(ip)) {',
    patched: `if (isPrivateIp(ip) && !${guard('server')} ${MARK}) {`
  },
  {
    file: 'node_modules/@libp2p/autonat-v2/dist/src/client.js',
    part: 'client',
    // the client never asks a server about a private address
    original: 'if (isPrivate(addr.multiaddr)) {',
    patched: `if (isPrivate(addr.multiaddr) && !${guard('client')} ${MARK}) {`
  },
  {
    file: 'node_modules/libp2p/dist/src/address-manager/transport-addresses.js',
    part: 'client',
    // the address manager marks private transport addresses verified, so nobody ever probes them
    original: 'if (isPrivate(multiaddr)) {',
    patched: `if (isPrivate(multiaddr) && !${guard('client')} ${MARK}) {`
  }
]

function count (text, needle) {
  let n = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++
  return n
}

// checks every file first and writes only when all three are as expected (no half-patched install)
export function patchAll ({ dir, checkOnly = false, log = console.log } = {}) {
  const problems = []
  const writes = []
  for (const p of PATCHES) {
    const path = join(dir, p.file)
    let text
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      problems.push(`${p.file}: cannot read (${err.code ?? err.message}); is the package installed?`)
      continue
    }
    const done = count(text, p.patched)
    const todo = count(text, p.original)
    if (done === 1 && todo === 0) {
      log(`patch-autonat: ${p.file}: already patched`)
      continue
    }
    if (done === 0 && todo === 1) {
      if (checkOnly) {
        problems.push(`${p.file}: not patched`)
        continue
      }
      writes.push(() => {
        writeFileSync(path, text.replace(p.original, p.patched))
        log(`patch-autonat: ${p.file}: patched (${p.part}; skipped only when ${ENV} names it)`)
      })
      continue
    }
    problems.push(`${p.file}: expected exactly one \`${p.original}\` (found ${todo}) or one patched line ` +
      `(found ${done}); the installed version changed. Re-read the file, update PATCHES in patch-autonat.mjs ` +
      'and README.md, or remove the patch')
  }
  if (problems.length === 0) writes.forEach(w => w())
  return problems
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = dirname(fileURLToPath(import.meta.url))
  const problems = patchAll({ dir, checkOnly: process.argv.includes('--check') })
  if (problems.length > 0) {
    for (const p of problems) console.error(`patch-autonat: FAILED: ${p}`)
    process.exit(1)
  }
}
