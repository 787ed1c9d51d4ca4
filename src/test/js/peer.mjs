// A long-running js-libp2p peer driven by the Java interop tests (JsPeer.java).
//
// Protocol: one JSON object per line.
//   stdout: {"event":"ready",...} once listening, then command answers
//           {"id":N,"ok":true,...} / {"id":N,"ok":false,"error":"..."} and events {"event":...}.
//   stdin:  commands {"id":N,"cmd":"dial","addr":"/ip4/..."}; see README.md for the list.
// Nothing else is ever written to stdout; diagnostics go to stderr (DEBUG=libp2p:* for libp2p's own).
// The process exits on stdin EOF (so a dead test never leaves a node behind), on "stop" and on SIGTERM.
//
// Run with: node --import ./polyfill.mjs peer.mjs --listen /ip4/127.0.0.1/tcp/0
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed, privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/test/echo/1.0.0'
const DEFAULT_TIMEOUT_MS = 30_000
const ECHO_CHUNK = 16 * 1024
const MAX_ECHO_BYTES = 256 * 1024 * 1024

// ---------------------------------------------------------------- output

function emit (obj) {
  // pipes are written synchronously on Linux, so lines never interleave
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function logErr (...args) {
  process.stderr.write(`[peer.mjs ${new Date().toISOString()}] ${args.join(' ')}\n`)
}

// ---------------------------------------------------------------- options

// argv wins over env: --listen (repeatable, or comma-separated in JS_PEER_LISTEN), --key-seed (64 hex
// chars: deterministic Ed25519 key), --private-key (hex protobuf PrivateKey), --agent-version,
// --service (repeatable: optional services from OPTIONAL_SERVICES below)
const { values: argv } = parseArgs({
  options: {
    listen: { type: 'string', multiple: true },
    'key-seed': { type: 'string' },
    'private-key': { type: 'string' },
    'agent-version': { type: 'string' },
    service: { type: 'string', multiple: true }
  },
  strict: true
})

const splitList = (s) => (s ?? '').split(',').map(x => x.trim()).filter(x => x.length > 0)
const options = {
  listen: argv.listen ?? (process.env.JS_PEER_LISTEN != null ? splitList(process.env.JS_PEER_LISTEN) : ['/ip4/127.0.0.1/tcp/0']),
  keySeed: argv['key-seed'] ?? process.env.JS_PEER_KEY_SEED,
  privateKey: argv['private-key'] ?? process.env.JS_PEER_PRIVATE_KEY,
  agentVersion: argv['agent-version'] ?? process.env.JS_PEER_AGENT_VERSION,
  services: argv.service ?? splitList(process.env.JS_PEER_SERVICES)
}

async function loadPrivateKey () {
  if (options.privateKey != null) {
    return privateKeyFromProtobuf(Buffer.from(options.privateKey, 'hex'))
  }
  if (options.keySeed != null) {
    const seed = Buffer.from(options.keySeed, 'hex')
    if (seed.length !== 32) throw new Error('--key-seed must be 32 bytes of hex')
    return generateKeyPairFromSeed('Ed25519', seed)
  }
  return generateKeyPair('Ed25519')
}

// Optional services, enabled with --service NAME. Each entry: (options) => { services: {...}, patch?: ... }.
// The AutoNAT v2 service is added here by a later change (together with its documented test-only
// patch of js's private-address checks, see README.md).
const OPTIONAL_SERVICES = {}

function buildServices () {
  const services = {
    identify: identify({ timeout: 10_000 }),
    ping: ping({ maxInboundStreams: 256, timeout: 10_000 })
  }
  for (const name of options.services) {
    const factory = OPTIONAL_SERVICES[name]
    if (factory == null) throw new Error(`unknown --service ${name}; known: ${Object.keys(OPTIONAL_SERVICES).join(', ') || '(none)'}`)
    Object.assign(services, factory(options))
  }
  return services
}

// ---------------------------------------------------------------- node

const node = await createLibp2p({
  privateKey: await loadPrivateKey(),
  addresses: { listen: options.listen },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: buildServices(),
  ...(options.agentVersion != null ? { nodeInfo: { userAgent: options.agentVersion } } : {}),
  connectionManager: {
    // defaults (5 inbound connections per second per IP, 10 pending, 100 max) throttle tests
    inboundConnectionThreshold: 10_000,
    maxIncomingPendingConnections: 1_000,
    maxConnections: 10_000,
    maxParallelDials: 1_000,
    maxDialQueueLength: 10_000,
    dialTimeout: 10_000,
    // never try to reconnect on our own: tests decide who dials whom
    reconnectRetries: 0
  }
})

// identify results by remote peer id, from whichever side dialed (js identifies on every connection)
const identified = new Map()
const identifyWaiters = new Map()

function identifyToJson (r) {
  return {
    peerId: r.peerId.toString(),
    protocols: [...(r.protocols ?? [])],
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    listenAddrs: (r.listenAddrs ?? []).map(a => a.toString()),
    observedAddr: r.observedAddr?.toString() ?? null,
    publicKey: r.publicKey != null ? Buffer.from(r.publicKey).toString('hex') : null,
    signedPeerRecord: r.signedPeerRecord != null
      ? { seq: r.signedPeerRecord.seq.toString(), addresses: r.signedPeerRecord.addresses.map(a => a.toString()) }
      : null,
    remoteAddr: r.connection?.remoteAddr?.toString() ?? null,
    direction: r.connection?.direction ?? null
  }
}

node.addEventListener('peer:identify', (evt) => {
  const json = identifyToJson(evt.detail)
  identified.set(json.peerId, json)
  emit({ event: 'identify', ...json })
  const waiters = identifyWaiters.get(json.peerId) ?? []
  identifyWaiters.delete(json.peerId)
  waiters.forEach(w => w(json))
})

node.addEventListener('connection:open', (evt) => {
  const c = evt.detail
  emit({ event: 'connection', peerId: c.remotePeer.toString(), direction: c.direction, remoteAddr: c.remoteAddr.toString() })
})

node.addEventListener('connection:close', (evt) => {
  const c = evt.detail
  emit({ event: 'connection-closed', peerId: c.remotePeer.toString(), direction: c.direction, remoteAddr: c.remoteAddr.toString() })
})

// echo: copy every byte back until the remote closes its write side, then close ours
await node.handle(ECHO_PROTOCOL, async (stream, connection) => {
  const hash = createHash('sha256')
  let bytes = 0
  try {
    for await (const chunk of stream) {
      const buf = chunk.subarray()
      hash.update(buf)
      bytes += buf.byteLength
      if (!stream.send(buf)) {
        await stream.onDrain()
      }
    }
    await stream.close()
    emit({ event: 'echo-served', peerId: connection.remotePeer.toString(), bytes, sha256: hash.digest('hex') })
  } catch (err) {
    emit({ event: 'echo-failed', peerId: connection.remotePeer.toString(), bytes, error: String(err?.message ?? err) })
    stream.abort(err)
  }
}, { maxInboundStreams: 1024, maxOutboundStreams: 1024 })

await node.start()

emit({
  event: 'ready',
  peerId: node.peerId.toString(),
  addrs: node.getMultiaddrs().map(a => a.toString()),
  protocols: node.getProtocols(),
  pid: process.pid
})

// ---------------------------------------------------------------- commands

// "/ip4/..." → Multiaddr, anything else → PeerId
function target (value, what = 'target') {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`missing ${what}`)
  return value.startsWith('/') ? multiaddr(value) : peerIdFromString(value)
}

function signalOf (args) {
  return AbortSignal.timeout(Number(args.timeoutMs ?? DEFAULT_TIMEOUT_MS))
}

function connectionJson (c) {
  return {
    id: c.id,
    peerId: c.remotePeer.toString(),
    remoteAddr: c.remoteAddr.toString(),
    direction: c.direction,
    status: c.status,
    streams: c.streams.map(s => ({ protocol: s.protocol, direction: s.direction }))
  }
}

function waitForIdentify (peerId, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      const list = identifyWaiters.get(peerId) ?? []
      identifyWaiters.set(peerId, list.filter(w => w !== done))
      resolve(null)
    }, ms)
    const done = (json) => { clearTimeout(timer); resolve(json) }
    identifyWaiters.set(peerId, [...(identifyWaiters.get(peerId) ?? []), done])
  })
}

// deterministic when a seed is given (sha256 counter mode), random otherwise
function* payloadChunks (total, seed) {
  let counter = 0
  let left = total
  while (left > 0) {
    const n = Math.min(ECHO_CHUNK, left)
    let chunk
    if (seed == null) {
      chunk = randomBytes(n)
    } else {
      chunk = Buffer.alloc(n)
      for (let off = 0; off < n; off += 32) {
        createHash('sha256').update(`${seed}:${counter++}`).digest().copy(chunk, off)
      }
    }
    left -= n
    yield chunk
  }
}

const commands = {
  async dial (args) {
    const conn = await node.dial(target(args.addr ?? args.peerId, 'addr'), { signal: signalOf(args) })
    return { peerId: conn.remotePeer.toString(), remoteAddr: conn.remoteAddr.toString(), direction: conn.direction }
  },

  async identify (args) {
    const peerId = peerIdFromString(args.peerId).toString()
    const timeoutMs = Number(args.timeoutMs ?? 10_000)
    if (args.refresh !== true) {
      const known = identified.get(peerId) ?? await waitForIdentify(peerId, Math.min(timeoutMs, 5_000))
      if (known != null) return known
    }
    // nothing arrived (or a refresh was asked for): run identify ourselves to get a result or the error
    const conn = node.getConnections(peerIdFromString(peerId)).find(c => c.status === 'open')
    if (conn == null) throw new Error(`no identify result and no open connection for ${peerId}`)
    const result = await node.services.identify.identify(conn, { signal: AbortSignal.timeout(timeoutMs) })
    return identifyToJson(result)
  },

  async ping (args) {
    const rtt = await node.services.ping.ping(target(args.peerId ?? args.addr), { signal: signalOf(args) })
    return { rtt }
  },

  async echo (args) {
    const total = Number(args.bytes ?? 0)
    if (!Number.isSafeInteger(total) || total < 0 || total > MAX_ECHO_BYTES) throw new Error(`bad bytes: ${args.bytes}`)
    const signal = signalOf(args)
    const stream = await node.dialProtocol(target(args.peerId ?? args.addr), ECHO_PROTOCOL, { signal })
    const sent = createHash('sha256')
    const received = createHash('sha256')
    let receivedBytes = 0
    const started = performance.now()
    try {
      const write = (async () => {
        for (const chunk of payloadChunks(total, args.seed)) {
          sent.update(chunk)
          if (!stream.send(chunk)) {
            await stream.onDrain({ signal })
          }
        }
        await stream.close({ signal }) // closes our write side; the stream stays readable
      })()
      const read = (async () => {
        for await (const chunk of stream) {
          const buf = chunk.subarray()
          received.update(buf)
          receivedBytes += buf.byteLength
        }
      })()
      await Promise.all([write, read])
    } catch (err) {
      stream.abort(err)
      throw err
    }
    const sentSha256 = sent.digest('hex')
    const receivedSha256 = received.digest('hex')
    return {
      sentBytes: total,
      receivedBytes,
      sentSha256,
      receivedSha256,
      match: total === receivedBytes && sentSha256 === receivedSha256,
      ms: Math.round(performance.now() - started)
    }
  },

  async connections () {
    return { connections: node.getConnections().map(connectionJson) }
  },

  async info () {
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), protocols: node.getProtocols() }
  },

  async hangup (args) {
    await node.hangUp(target(args.peerId ?? args.addr), { signal: signalOf(args) })
    return {}
  },

  async stop () {
    setImmediate(() => { shutdown('stop command').catch(() => {}) })
    return {}
  }
}

async function handleLine (line) {
  if (line.trim().length === 0) return
  let req
  try {
    req = JSON.parse(line)
  } catch (err) {
    emit({ id: null, ok: false, error: `bad JSON: ${err.message}` })
    return
  }
  const id = req.id ?? null
  const fn = commands[req.cmd]
  if (fn == null) {
    emit({ id, ok: false, error: `unknown cmd: ${req.cmd}` })
    return
  }
  try {
    const result = await fn(req.args ?? req)
    emit({ id, ok: true, ...result })
  } catch (err) {
    emit({ id, ok: false, error: `${err?.name ?? 'Error'}: ${err?.message ?? err}` })
  }
}

// ---------------------------------------------------------------- lifecycle

let stopping = null
function shutdown (reason) {
  if (stopping != null) return stopping
  logErr('stopping:', reason)
  const hardExit = setTimeout(() => { logErr('stop timed out, exiting'); process.exit(1) }, 5_000)
  hardExit.unref()
  stopping = node.stop()
    .catch((err) => logErr('stop failed:', err?.stack ?? err))
    .finally(() => {
      emit({ event: 'stopped' })
      process.exit(0)
    })
  return stopping
}

process.on('SIGTERM', () => { shutdown('SIGTERM') })
process.on('SIGINT', () => { shutdown('SIGINT') })
process.on('unhandledRejection', (err) => { logErr('unhandled rejection:', err?.stack ?? err) })

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => { handleLine(line).catch((err) => logErr('command failed:', err?.stack ?? err)) })
rl.on('close', () => { shutdown('stdin closed') })
