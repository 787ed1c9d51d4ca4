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
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed, privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { byteStream, ipPortToMultiaddr } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
// @libp2p/autonat-v2 exports only its main entry: its protobuf codecs are imported by file path
import { DialBack, DialBackResponse, Message } from './node_modules/@libp2p/autonat-v2/dist/src/pb/index.js'

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
// chars: deterministic Ed25519 key), --key-type (ed25519, rsa, secp256k1, ecdsa), --private-key (hex protobuf PrivateKey), --agent-version,
// --service (repeatable: optional services from OPTIONAL_SERVICES below), --quic (QUIC-v1 too; implied
// by a /quic-v1 listen address)
const { values: argv } = parseArgs({
  options: {
    listen: { type: 'string', multiple: true },
    'key-seed': { type: 'string' },
    'private-key': { type: 'string' },
    'key-type': { type: 'string' },
    'agent-version': { type: 'string' },
    service: { type: 'string', multiple: true },
    quic: { type: 'boolean' }
  },
  strict: true
})

const splitList = (s) => (s ?? '').split(',').map(x => x.trim()).filter(x => x.length > 0)
const options = {
  listen: argv.listen ?? (process.env.JS_PEER_LISTEN != null ? splitList(process.env.JS_PEER_LISTEN) : ['/ip4/127.0.0.1/tcp/0']),
  keySeed: argv['key-seed'] ?? process.env.JS_PEER_KEY_SEED,
  privateKey: argv['private-key'] ?? process.env.JS_PEER_PRIVATE_KEY,
  keyType: argv['key-type'] ?? process.env.JS_PEER_KEY_TYPE ?? 'ed25519',
  agentVersion: argv['agent-version'] ?? process.env.JS_PEER_AGENT_VERSION,
  services: argv.service ?? splitList(process.env.JS_PEER_SERVICES)
}
options.quic = argv.quic === true || options.listen.some(a => a.includes('/quic-v1'))

async function loadPrivateKey () {
  if (options.privateKey != null) {
    return privateKeyFromProtobuf(Buffer.from(options.privateKey, 'hex'))
  }
  if (options.keySeed != null) {
    const seed = Buffer.from(options.keySeed, 'hex')
    if (seed.length !== 32) throw new Error('--key-seed must be 32 bytes of hex')
    return generateKeyPairFromSeed('Ed25519', seed)
  }
  // the same --key-type values as the go and rust peers
  const types = { ed25519: ['Ed25519'], rsa: ['RSA', 2048], secp256k1: ['secp256k1'], ecdsa: ['ECDSA'] }
  const type = types[options.keyType]
  if (type == null) throw new Error(`unknown --key-type ${options.keyType}; known: ${Object.keys(types).join(', ')}`)
  return generateKeyPair(...type)
}

// AutoNAT v2 protocol ids (js's default prefix 'libp2p')
export const DIAL_REQUEST_PROTOCOL = '/libp2p/autonat/2/dial-request'
export const DIAL_BACK_PROTOCOL = '/libp2p/autonat/2/dial-back'

// test settings of the js AutoNAT v2 service; env so JsPeer can set them per process
const envNumber = (name, dflt) => process.env[name] != null && process.env[name] !== '' ? Number(process.env[name]) : dflt
const AUTONAT_SETTINGS = {
  // server: whole request; client: its dial-back handler (js default 30 s, longer than any test wants)
  timeout: envNumber('JS_AUTONAT_TIMEOUT_MS', 10_000),
  // client: refuses (and then stalls on) DialDataRequests above this; js's default 200 KiB
  maxDialDataBytes: BigInt(envNumber('JS_AUTONAT_MAX_DIAL_DATA_BYTES', 200 * 1024)),
  dialDataChunkSize: envNumber('JS_AUTONAT_DIAL_DATA_CHUNK', 4096),
  // js default 2 per connection: a test that fires a few requests at once would see resets
  maxInboundStreams: envNumber('JS_AUTONAT_MAX_INBOUND_STREAMS', 8),
  maxOutboundStreams: 20
}

// Optional services, enabled with --service NAME. Each entry: (options) => { name: service factory }.
// 'autonat' (alias 'autonat-v2'): @libp2p/autonat-v2 2.0.15, always client AND server. It refuses
// loopback/private addresses unless the test-only patch (patch-autonat.mjs, see README.md) is enabled
// for this process with JS_AUTONAT_ALLOW_PRIVATE=server|client|1.
const OPTIONAL_SERVICES = {
  autonat: () => ({ autonat: autoNATv2(AUTONAT_SETTINGS) }),
  'autonat-v2': () => ({ autonat: autoNATv2(AUTONAT_SETTINGS) })
}

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

// QUIC-v1 (@chainsafe/libp2p-quic: QUIC with its own TLS and streams, no noise or yamux) is not in
// package-lock.json, whose npm ci would fail on its other platforms' packages: the Maven build installs
// it after npm ci with `npm install --no-save @chainsafe/libp2p-quic@2.1.1` (see README.md)
const transports = [tcp()]
if (options.quic) {
  const { quic } = await import('@chainsafe/libp2p-quic')
  transports.push(quic())
}

const node = await createLibp2p({
  privateKey: await loadPrivateKey(),
  addresses: { listen: options.listen },
  transports,
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

// ---------------------------------------------------------------- AutoNAT v2: observation

// What the ready line and `info` report. With the client part of the loopback patch
// (JS_AUTONAT_ALLOW_PRIVATE=client|1) js treats its loopback listen addresses as unverified and
// getMultiaddrs() is [] until AutoNAT confirms one: `addrs` then falls back to the listen addresses
// (still dialable); `advertisedAddrs` is what js itself would advertise.
function nodeInfo () {
  const advertised = node.getMultiaddrs().map(a => a.toString())
  const listen = node.components.transportManager.getAddrs()
    .map(a => a.encapsulate(`/p2p/${node.peerId}`).toString())
  return {
    peerId: node.peerId.toString(),
    addrs: advertised.length > 0 ? advertised : listen,
    advertisedAddrs: advertised,
    listenAddrs: listen,
    addresses: addressesJson(),
    protocols: node.getProtocols(),
    services: options.services
  }
}

function addressesJson () {
  return node.components.addressManager.getAddressesWithMetadata().map(a => ({
    addr: a.multiaddr.toString(),
    type: a.type,
    verified: a.verified,
    expires: a.expires,
    lastVerified: a.lastVerified ?? null
  }))
}

// the local address a connection arrived on (libp2p's Connection has none; TCP's socket has it)
function localAddrOf (connection) {
  try {
    for (let c = connection?.maConn, depth = 0; c != null && depth < 4; c = c.maConn, depth++) {
      const socket = c.socket
      if (socket?.localAddress != null && socket.localPort != null) {
        return ipPortToMultiaddr(socket.localAddress.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1'), socket.localPort).toString()
      }
    }
  } catch {}
  return null
}

const u64 = (n) => BigInt.asUintN(64, BigInt(n)).toString()

// dial-backs seen by this node, fanned out to every running autonat-request command
const dialBackListeners = new Set()
// nonces of running autonat-request commands: accepted even when js's own dial-back handler runs
const wireNonces = new Map() // decimal u64 -> { reply }

function recordDialBack (nonce, connection, matched, handler) {
  const entry = {
    nonce: u64(nonce),
    localAddr: localAddrOf(connection),
    remoteAddr: connection.remoteAddr.toString(),
    peerId: connection.remotePeer.toString(),
    matched,
    handler
  }
  emit({ event: 'dial-back', ...entry })
  dialBackListeners.forEach(l => l(entry))
  return entry
}

const afterReady = []
const autonat = node.services.autonat
if (autonat != null) {
  // 2.0.15 has no events. Observe the client without changing it:
  // 1. dial-backs: js's handler checks `this.nonces.has(nonce)` exactly once per DialBack; run each
  //    handler call in an AsyncLocalStorage context so that check knows the connection, and log it.
  const client = autonat.client
  const dialBackContext = new AsyncLocalStorage()
  const original = client.handleDialBackStream.bind(client)
  client.handleDialBackStream = (stream, connection) => dialBackContext.run({ connection }, () => original(stream, connection))
  class ObservedNonces extends Set {
    has (nonce) {
      const matched = super.has(nonce) || wireNonces.has(u64(nonce))
      const ctx = dialBackContext.getStore()
      if (ctx != null) recordDialBack(nonce, ctx.connection, matched, 'js')
      return matched
    }
  }
  client.nonces = new ObservedNonces(client.nonces)

  // 2. conclusions: the client reports them only to the address manager
  const am = node.components.addressManager
  for (const [method, event] of [['confirmObservedAddr', 'address-verified'], ['removeObservedAddr', 'address-unverified']]) {
    const fn = am[method].bind(am)
    am[method] = (addr, ...rest) => {
      const result = fn(addr, ...rest)
      const meta = am.getAddressesWithMetadata().find(a => a.multiaddr.equals(addr))
      emit({ event, addr: addr.toString(), type: meta?.type ?? null, verified: meta?.verified ?? null })
      return result
    }
  }
  // 3. what js then advertises (debounced by js: ~1 s after a change); registered after the ready line
  afterReady.push(() => node.addEventListener('self:peer:update', () => {
    if (stopping != null) return
    emit({ event: 'self-peer-update', advertisedAddrs: node.getMultiaddrs().map(a => a.toString()), addresses: addressesJson() })
  }))
} else {
  // no js AutoNAT service: our own dial-back handler, for the wire-level client below. Replies
  // DialBackResponse{OK} to a nonce of a running autonat-request (or what it asked for), resets otherwise.
  await node.handle(DIAL_BACK_PROTOCOL, async (stream, connection) => {
    try {
      const reader = frameReader(stream)
      const lp = await reader.read({ signal: AbortSignal.timeout(10_000), maxLength: 1024 })
      if (lp.frame == null) throw new Error(`no DialBack (${lp.end})`)
      const msg = DialBack.decode(lp.frame)
      const wire = wireNonces.get(u64(msg.nonce))
      recordDialBack(msg.nonce, connection, wire != null, 'harness')
      const reply = wire?.reply ?? 'reset'
      if (reply === 'reset') {
        stream.abort(new Error('unknown nonce'))
        return
      }
      if (reply === 'ok') {
        await reader.bytes.write(frame(DialBackResponse.encode({ status: 'OK' })))
      }
      await stream.close()
    } catch (err) {
      logErr('dial-back handler:', err?.message ?? err)
      stream.abort(err)
    }
  }, { maxInboundStreams: 64, maxOutboundStreams: 64 })
}

// ---------------------------------------------------------------- AutoNAT v2: wire-level client

function varint (n) {
  const out = []
  let v = BigInt(n)
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return Uint8Array.from(out)
}

function frame (payload) {
  const prefix = varint(payload.byteLength)
  const out = new Uint8Array(prefix.byteLength + payload.byteLength)
  out.set(prefix)
  out.set(payload, prefix.byteLength)
  return out
}

// Varint-length-prefixed frames (the framing of @libp2p/utils' lpStream / it-length-prefixed) over a
// byteStream, telling a clean end, a reset and a timeout apart. read() returns {frame} or
// {end: 'eof'|'eof-mid-frame'|'reset'|'timeout'|'error', error?}.
function frameReader (stream) {
  const bytes = byteStream(stream)
  let buf = Buffer.alloc(0)
  return {
    bytes,
    async read ({ signal, maxLength }) {
      try {
        while (true) {
          let length = 0
          let i = 0
          let complete = false
          for (; i < buf.length && i < 10; i++) {
            length += (buf[i] & 0x7f) * 2 ** (7 * i)
            if ((buf[i] & 0x80) === 0) { complete = true; break }
          }
          if (!complete && i >= 10) return { end: 'error', error: 'length varint longer than 10 bytes' }
          if (complete) {
            if (length > maxLength) return { end: 'error', error: `frame of ${length} bytes > ${maxLength}` }
            if (buf.length >= i + 1 + length) {
              const frame = buf.subarray(i + 1, i + 1 + length)
              buf = buf.subarray(i + 1 + length)
              return { frame }
            }
          }
          // without `bytes` byteStream.read returns what is buffered, or null on a clean end
          const chunk = await bytes.read({ signal })
          if (chunk == null) return { end: buf.length === 0 ? 'eof' : 'eof-mid-frame' }
          buf = Buffer.concat([buf, chunk.subarray()])
        }
      } catch (err) {
        return endOf(err, signal)
      }
    }
  }
}

function endOf (err, signal) {
  if (signal?.aborted) return { end: 'timeout' }
  const name = `${err?.name ?? ''} ${err?.message ?? ''}`
  if (/reset/i.test(name)) return { end: 'reset', error: String(err?.message ?? err) }
  if (/UnexpectedEOF/.test(name)) return { end: 'eof-mid-frame' }
  return { end: 'error', error: `${err?.name ?? 'Error'}: ${err?.message ?? err}` }
}

function messageJson (m, raw) {
  if (m.dialResponse != null) {
    return { type: 'dialResponse', status: m.dialResponse.status, addrIdx: m.dialResponse.addrIdx, dialStatus: m.dialResponse.dialStatus }
  }
  if (m.dialDataRequest != null) {
    return { type: 'dialDataRequest', addrIdx: m.dialDataRequest.addrIdx, numBytes: Number(m.dialDataRequest.numBytes) }
  }
  if (m.dialRequest != null) {
    return { type: 'dialRequest', addrs: m.dialRequest.addrs.map(a => Buffer.from(a).toString('hex')), nonce: u64(m.dialRequest.nonce) }
  }
  if (m.dialDataResponse != null) {
    return { type: 'dialDataResponse', bytes: m.dialDataResponse.data.byteLength }
  }
  return { type: 'empty', hex: Buffer.from(raw).toString('hex') }
}

// each requested address: a multiaddr string, or "hex:<bytes>" for arbitrary (e.g. invalid) bytes
function addrBytes (a) {
  if (typeof a === 'string' && a.startsWith('hex:')) return Buffer.from(a.slice(4), 'hex')
  return multiaddr(a).bytes
}

// autonat-request {peerId | addr, addrs: [...], nonce?, payDialData?, maxDialDataBytes?, chunkSize?,
//   dialDataBytes?, raw?, oversize?, closeWrite?, dialBackReply?, expectMessages?, untilResponse?,
//   timeoutMs?}
// Opens /libp2p/autonat/2/dial-request and plays the client exactly as told; see README.md.
async function autonatRequest (args) {
  const timeoutMs = Number(args.timeoutMs ?? 10_000)
  const signal = AbortSignal.timeout(timeoutMs)
  const nonce = args.nonce != null ? BigInt.asUintN(64, BigInt(args.nonce)) : randomBytes(8).readBigUInt64BE()
  const nonceText = nonce.toString()
  const payDialData = args.payDialData ?? true
  const maxDialDataBytes = Number(args.maxDialDataBytes ?? 200 * 1024)
  const chunkSize = Number(args.chunkSize ?? 4096)
  const expectMessages = args.expectMessages != null ? Number(args.expectMessages) : Infinity
  const result = { nonce: nonceText, messages: [], dialBacks: [], streamEnd: null, bytesSent: 0, dialDataBytesSent: 0 }
  const listener = (entry) => { result.dialBacks.push({ ...entry, matched: entry.nonce === nonceText }) }
  const started = performance.now()

  const dialBackReply = args.dialBackReply ?? 'ok'
  if (!['ok', 'reset', 'none'].includes(dialBackReply)) throw new Error(`bad dialBackReply: ${dialBackReply} (ok, reset, none)`)
  // a server's dial-back connection to us may still be open (rust keeps them, and serves no
  // dial-request on connections it dialed): hang it up so the request goes over one we dialed
  const serverTarget = target(args.addr ?? args.peerId, 'addr')
  const text = String(args.addr ?? args.peerId)
  const serverId = text.startsWith('/') ? (text.includes('/p2p/') ? text.slice(text.lastIndexOf('/p2p/') + '/p2p/'.length) : null) : text
  if (serverId != null) {
    await Promise.all(node.getConnections(peerIdFromString(serverId))
      .filter(c => c.direction === 'inbound')
      .map(c => c.close().catch(() => {})))
  }
  const conn = await node.dial(serverTarget, { signal })
  wireNonces.set(nonceText, { reply: dialBackReply })
  dialBackListeners.add(listener)
  let stream
  try {
    stream = await conn.newStream(DIAL_REQUEST_PROTOCOL, { signal })
    const reader = frameReader(stream)
    const bytes = reader.bytes
    const send = async (buf) => {
      await bytes.write(buf, { signal })
      result.bytesSent += buf.byteLength
    }

    if (args.raw != null) {
      await send(Buffer.from(args.raw, 'hex'))
    } else if (args.oversize != null) {
      // a length prefix announcing N bytes, then N bytes of garbage
      const n = Number(args.oversize)
      if (!Number.isSafeInteger(n) || n < 0 || n > 16 * 1024 * 1024) throw new Error(`bad oversize: ${args.oversize}`)
      await send(varint(n))
      for (let left = n; left > 0; left -= 65536) await send(Buffer.alloc(Math.min(left, 65536), 0xa5))
    } else {
      const addrs = (args.addrs ?? []).map(addrBytes)
      await send(frame(Message.encode({ dialRequest: { addrs, nonce } })))
    }
    if (args.closeWrite === true) await stream.close({ signal }).catch(() => {})

    while (result.messages.length < expectMessages) {
      const r = await reader.read({ signal, maxLength: 1024 * 1024 })
      if (r.frame == null) {
        result.streamEnd = r.end
        if (r.error != null) result.error = r.error
        break
      }
      let m
      try {
        m = Message.decode(r.frame)
      } catch (err) {
        result.messages.push({ type: 'undecodable', hex: Buffer.from(r.frame).toString('hex'), error: String(err?.message ?? err) })
        continue
      }
      const json = messageJson(m, r.frame)
      result.messages.push(json)
      if (json.type === 'dialResponse' && args.untilResponse === true) break
      if (json.type !== 'dialDataRequest') continue
      if (payDialData === false || json.numBytes > maxDialDataBytes) {
        result.refusedDialData = true
        stream.abort(new Error('dial data refused by the test'))
        result.streamEnd = 'reset-by-us'
        break
      }
      const total = args.dialDataBytes != null ? Number(args.dialDataBytes) : json.numBytes
      const chunk = new Uint8Array(chunkSize)
      for (let sent = 0; sent < total; sent += chunkSize) {
        const data = sent + chunkSize <= total ? chunk : chunk.subarray(0, total - sent)
        await send(frame(Message.encode({ dialDataResponse: { data } })))
        result.dialDataBytesSent += data.byteLength
      }
    }
    if (result.streamEnd == null) result.streamEnd = 'open' // expectMessages reached first
  } catch (err) {
    const e = endOf(err, signal)
    result.streamEnd = result.streamEnd ?? e.end
    if (e.error != null) result.error = e.error
  } finally {
    if (stream != null && stream.status === 'open') {
      // done (expectMessages reached, or the remote ended): close our side too
      if (result.streamEnd === 'open' || result.streamEnd === 'eof') {
        await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => stream.abort(new Error('close failed')))
      } else {
        stream.abort(new Error(`autonat-request ended: ${result.streamEnd}`))
      }
    }
    dialBackListeners.delete(listener)
    wireNonces.delete(nonceText)
  }
  const elapsed = performance.now() - started
  result.ms = Math.round(elapsed)
  // the same to the microsecond, for benchmarks (checks on loopback take a few ms)
  result.elapsedMs = Math.round(elapsed * 1000) / 1000
  return result
}

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

emit({ event: 'ready', ...nodeInfo(), pid: process.pid })
afterReady.forEach(f => f())

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
    return nodeInfo()
  },

  // wire-level AutoNAT v2 client, see autonatRequest below
  async 'autonat-request' (args) {
    return autonatRequest(args)
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
