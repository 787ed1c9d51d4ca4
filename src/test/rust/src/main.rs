//! A long-running rust-libp2p peer driven by the Java interop tests (InteropPeer.java).
//!
//! Protocol (the same as src/test/js/peer.mjs and src/test/go): one JSON object per line.
//! stdout: {"event":"ready",...} once listening, then answers {"id":N,"ok":true,...} /
//! {"id":N,"ok":false,"error":"..."} and events {"event":...}. stdin: commands
//! {"id":N,"cmd":"dial","addr":"/ip4/..."}; see README.md for the list.
//!
//! Nothing else is written to stdout; diagnostics go to stderr. The process exits on stdin EOF (so
//! a dead test never leaves a node behind), on "stop" and on SIGTERM.

use std::{
    collections::HashMap,
    io::Write,
    time::{Duration, Instant},
};

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::{
    autonat,
    core::{multiaddr::Protocol, ConnectedPoint},
    identify, identity, noise, ping,
    swarm::{
        behaviour::toggle::Toggle,
        dial_opts::{DialOpts, PeerCondition},
        ConnectionId, NetworkBehaviour, SwarmEvent,
    },
    tcp, tls, yamux, Multiaddr, PeerId, StreamProtocol, Swarm,
};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    sync::mpsc,
};

const ECHO_PROTOCOL: StreamProtocol = StreamProtocol::new("/test/echo/1.0.0");
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const ECHO_CHUNK: usize = 16 * 1024;
const MAX_ECHO_BYTES: u64 = 256 * 1024 * 1024;
/// How often the stock client looks for untested candidates (rust's default is 5 s).
const PROBE_INTERVAL: Duration = Duration::from_millis(200);
/// Rust pings every 15 s by default; the `ping` command waits for the next one.
const PING_INTERVAL: Duration = Duration::from_secs(1);
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
const DEADLINE_TICK: Duration = Duration::from_millis(50);
const DEFAULT_AGENT: &str = "rust-libp2p/0.56.0 (reachability interop peer)";
const IMPLEMENTATION: &str = "rust-libp2p 0.56.0 (libp2p-autonat 0.15.0)";

// ---------------------------------------------------------------- output

fn emit(value: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn log_err(text: impl std::fmt::Display) {
    eprintln!("[rust-peer {:?}] {text}", std::time::SystemTime::now());
}

// ---------------------------------------------------------------- options

#[derive(Default)]
struct Options {
    listen: Vec<String>,
    services: Vec<String>,
    key_type: String,
    key_seed: Option<String>,
    private_key: Option<String>,
    rsa_pkcs8: Option<String>,
    agent_version: Option<String>,
}

impl Options {
    fn parse() -> Result<Self, String> {
        let mut o = Options {
            key_type: "ed25519".into(),
            ..Default::default()
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--listen" => o.listen.push(value()?),
                "--service" => o.services.push(value()?),
                "--key-type" => o.key_type = value()?,
                "--key-seed" => o.key_seed = Some(value()?),
                "--private-key" => o.private_key = Some(value()?),
                "--rsa-pkcs8" => o.rsa_pkcs8 = Some(value()?),
                "--agent-version" => o.agent_version = Some(value()?),
                other => return Err(format!("unknown option {other}")),
            }
        }
        if o.listen.is_empty() {
            o.listen.push("/ip4/127.0.0.1/tcp/0".into());
        }
        Ok(o)
    }

    fn has(&self, service: &str) -> bool {
        self.services.iter().any(|s| s == service || s == "autonat")
    }

    fn keypair(&self) -> Result<identity::Keypair, String> {
        let unhex = |s: &str| hex::decode(s).map_err(|e| format!("bad hex: {e}"));
        if let Some(p) = &self.private_key {
            return identity::Keypair::from_protobuf_encoding(&unhex(p)?)
                .map_err(|e| format!("--private-key: {e}"));
        }
        if let Some(s) = &self.key_seed {
            return identity::Keypair::ed25519_from_bytes(unhex(s)?)
                .map_err(|e| format!("--key-seed: {e}"));
        }
        match self.key_type.as_str() {
            "ed25519" => Ok(identity::Keypair::generate_ed25519()),
            "secp256k1" => Ok(identity::Keypair::generate_secp256k1()),
            "ecdsa" => Ok(identity::Keypair::generate_ecdsa()),
            // rust-libp2p cannot generate RSA keys; the driver passes one (PKCS#8 DER)
            "rsa" => {
                let mut der = unhex(self.rsa_pkcs8.as_deref().ok_or("--key-type rsa needs --rsa-pkcs8 HEX")?)?;
                identity::Keypair::rsa_from_pkcs8(&mut der).map_err(|e| format!("--rsa-pkcs8: {e}"))
            }
            other => Err(format!("unknown --key-type {other} (ed25519, rsa, secp256k1, ecdsa)")),
        }
    }
}

// ---------------------------------------------------------------- node

#[derive(NetworkBehaviour)]
struct Behaviour {
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    stream: libp2p_stream::Behaviour,
    autonat_server: Toggle<autonat::v2::server::Behaviour>,
    autonat_client: Toggle<autonat::v2::client::Behaviour>,
    candidates: candidates::Behaviour,
}

/// Hands address candidates to the stock AutoNAT v2 client, which tests only what the swarm reports
/// as candidates (identify's observed addresses, normally).
mod candidates {
    use std::{
        collections::VecDeque,
        convert::Infallible,
        task::{Context, Poll},
    };

    use libp2p::{
        core::{transport::PortUse, Endpoint},
        swarm::{
            dummy, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler,
            THandlerInEvent, THandlerOutEvent, ToSwarm,
        },
        Multiaddr, PeerId,
    };

    #[derive(Default)]
    pub struct Behaviour {
        queue: VecDeque<Multiaddr>,
    }

    impl Behaviour {
        pub fn add(&mut self, addr: Multiaddr) {
            self.queue.push_back(addr);
        }
    }

    impl NetworkBehaviour for Behaviour {
        type ConnectionHandler = dummy::ConnectionHandler;
        type ToSwarm = Infallible;

        fn handle_established_inbound_connection(
            &mut self,
            _: ConnectionId,
            _: PeerId,
            _: &Multiaddr,
            _: &Multiaddr,
        ) -> Result<THandler<Self>, ConnectionDenied> {
            Ok(dummy::ConnectionHandler)
        }

        fn handle_established_outbound_connection(
            &mut self,
            _: ConnectionId,
            _: PeerId,
            _: &Multiaddr,
            _: Endpoint,
            _: PortUse,
        ) -> Result<THandler<Self>, ConnectionDenied> {
            Ok(dummy::ConnectionHandler)
        }

        fn on_swarm_event(&mut self, _: FromSwarm) {}

        fn on_connection_handler_event(&mut self, _: PeerId, _: ConnectionId, event: THandlerOutEvent<Self>) {
            match event {}
        }

        fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
            // the main loop adds candidates between polls of the swarm, so no waker is needed
            match self.queue.pop_front() {
                Some(addr) => Poll::Ready(ToSwarm::NewExternalAddrCandidate(addr)),
                None => Poll::Pending,
            }
        }
    }
}

/// What a command waits for before it can answer.
enum Wait {
    /// an outbound connection, then `then`
    Dial { connection: ConnectionId, then: Box<Then> },
    Identify { peer: PeerId },
    Ping { peer: PeerId },
    AutonatResult { addr: Multiaddr },
    /// identify from the server listed dial-request, then the candidate
    AutonatServer { peer: PeerId, addr: Multiaddr },
    /// the server's dial-back connections to us closed, then the wire-level request
    Closing { peer: PeerId, connections: Vec<ConnectionId>, addrs: Vec<Multiaddr> },
}

enum Then {
    Reply,
    Ping,
    Echo { bytes: u64, seed: Option<String> },
    AutonatCheck { addr: Multiaddr },
    WireRequest { addrs: Vec<Multiaddr> },
}

struct Pending {
    id: Value,
    wait: Wait,
    deadline: Instant,
}

struct ConnectionInfo {
    peer: PeerId,
    remote: Multiaddr,
    direction: &'static str,
}

struct Node {
    swarm: Swarm<Behaviour>,
    options: Options,
    control: libp2p_stream::Control,
    wire_nonces: WireNonces,
    pending: Vec<Pending>,
    identified: HashMap<PeerId, Value>,
    autonat_servers: HashMap<PeerId, bool>,
    autonat_results: HashMap<Multiaddr, Value>,
    connections: HashMap<ConnectionId, ConnectionInfo>,
    stopping: bool,
}

fn reply_ok(id: &Value, mut body: Map<String, Value>) {
    body.insert("id".into(), id.clone());
    body.insert("ok".into(), Value::Bool(true));
    emit(Value::Object(body));
}

fn reply_err(id: &Value, error: impl std::fmt::Display) {
    emit(json!({"id": id, "ok": false, "error": error.to_string()}));
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn without_p2p(addr: &Multiaddr) -> (Multiaddr, Option<PeerId>) {
    let mut out = Multiaddr::empty();
    let mut peer = None;
    for p in addr.iter() {
        match p {
            Protocol::P2p(id) => peer = Some(id),
            other => out.push(other),
        }
    }
    (out, peer)
}

impl Node {
    fn new(options: Options) -> Result<Self, Box<dyn std::error::Error>> {
        let key = options.keypair()?;
        let agent = options.agent_version.clone().unwrap_or_else(|| DEFAULT_AGENT.into());
        let server = options.has("autonat-server");
        let client = options.has("autonat-client");
        let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
            .with_tokio()
            // rust-libp2p's usual stack: TCP with Noise (preferred) or TLS, and QUIC-v1
            .with_tcp(
                tcp::Config::default().nodelay(true),
                (noise::Config::new, tls::Config::new),
                yamux::Config::default,
            )?
            .with_quic()
            .with_behaviour(|key| Behaviour {
                identify: identify::Behaviour::new(
                    identify::Config::new("/ipfs/id/1.0.0".into(), key.public()).with_agent_version(agent),
                ),
                ping: ping::Behaviour::new(ping::Config::new().with_interval(PING_INTERVAL)),
                stream: libp2p_stream::Behaviour::new(),
                autonat_server: Toggle::from(server.then(autonat::v2::server::Behaviour::default)),
                autonat_client: Toggle::from(client.then(|| {
                    autonat::v2::client::Behaviour::new(
                        rand::rngs::OsRng,
                        autonat::v2::client::Config::default().with_probe_interval(PROBE_INTERVAL),
                    )
                })),
                candidates: candidates::Behaviour::default(),
            })?
            .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
            .build();
        for addr in &options.listen {
            swarm.listen_on(addr.parse()?)?;
        }
        let control = swarm.behaviour().stream.new_control();
        Ok(Node {
            swarm,
            options,
            control,
            wire_nonces: WireNonces::default(),
            pending: Vec::new(),
            identified: HashMap::new(),
            autonat_servers: HashMap::new(),
            autonat_results: HashMap::new(),
            connections: HashMap::new(),
            stopping: false,
        })
    }

    fn info(&self) -> Map<String, Value> {
        let peer = *self.swarm.local_peer_id();
        let addrs: Vec<String> = self.swarm.listeners().map(|a| format!("{a}/p2p/{peer}")).collect();
        let mut protocols = vec!["/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0", "/test/echo/1.0.0"];
        if self.options.has("autonat-server") {
            protocols.push("/libp2p/autonat/2/dial-request");
        }
        if self.options.has("autonat-client") {
            protocols.push("/libp2p/autonat/2/dial-back");
        }
        object(json!({
            "peerId": peer.to_string(),
            "addrs": addrs,
            "listenAddrs": addrs,
            "protocols": protocols,
            "services": self.options.services,
            "keyType": self.options.key_type,
            "implementation": IMPLEMENTATION,
        }))
    }

    fn add_pending(&mut self, id: Value, wait: Wait, timeout: Duration) {
        self.pending.push(Pending { id, wait, deadline: Instant::now() + timeout });
    }

    /// Dials `addr` (a multiaddr with /p2p/<id>) on a new connection and continues with `then`.
    fn dial(&mut self, id: Value, addr: &str, then: Then, timeout: Duration) {
        let parsed: Multiaddr = match addr.parse() {
            Ok(a) => a,
            Err(e) => return reply_err(&id, format!("bad addr {addr}: {e}")),
        };
        let (transport_addr, peer) = without_p2p(&parsed);
        let opts = match peer {
            Some(peer) => DialOpts::peer_id(peer)
                .addresses(vec![transport_addr])
                .condition(PeerCondition::Always)
                .build(),
            None => DialOpts::unknown_peer_id().address(transport_addr).build(),
        };
        let connection = opts.connection_id();
        if let Err(e) = self.swarm.dial(opts) {
            return reply_err(&id, format!("dial {addr}: {e}"));
        }
        self.add_pending(id, Wait::Dial { connection, then: Box::new(then) }, timeout);
    }

    fn handle_command(&mut self, req: Value) {
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let mut args = req.as_object().cloned().unwrap_or_default();
        if let Some(Value::Object(extra)) = req.get("args") {
            args.extend(extra.clone());
        }
        let str_arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_owned);
        let timeout = args
            .get("timeoutMs")
            .and_then(Value::as_u64)
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_TIMEOUT);
        let target = str_arg("peerId").or_else(|| str_arg("addr"));
        let cmd = str_arg("cmd").unwrap_or_default();
        match cmd.as_str() {
            "dial" => match target {
                Some(addr) => self.dial(id, &addr, Then::Reply, timeout),
                None => reply_err(&id, "missing addr"),
            },
            "info" => reply_ok(&id, self.info()),
            "identify" => match str_arg("peerId").map(|p| p.parse::<PeerId>()) {
                Some(Ok(peer)) => match self.identified.get(&peer) {
                    Some(known) if args.get("refresh") != Some(&Value::Bool(true)) => {
                        reply_ok(&id, object(known.clone()))
                    }
                    _ => self.add_pending(id, Wait::Identify { peer }, timeout),
                },
                _ => reply_err(&id, "missing or bad peerId"),
            },
            "ping" => match target {
                Some(t) if t.starts_with('/') => self.dial(id, &t, Then::Ping, timeout),
                Some(t) => match t.parse::<PeerId>() {
                    Ok(peer) => self.add_pending(id, Wait::Ping { peer }, timeout),
                    Err(e) => reply_err(&id, e),
                },
                None => reply_err(&id, "missing peerId or addr"),
            },
            "echo" => {
                let bytes = args.get("bytes").and_then(Value::as_u64).unwrap_or(0);
                if bytes > MAX_ECHO_BYTES {
                    return reply_err(&id, format!("bad bytes: {bytes}"));
                }
                let seed = str_arg("seed");
                match target {
                    Some(t) if t.starts_with('/') => self.dial(id, &t, Then::Echo { bytes, seed }, timeout),
                    Some(t) => match t.parse::<PeerId>() {
                        Ok(peer) => self.echo(id, peer, bytes, seed),
                        Err(e) => reply_err(&id, e),
                    },
                    None => reply_err(&id, "missing peerId or addr"),
                }
            }
            "connections" => {
                let list: Vec<Value> = self
                    .connections
                    .iter()
                    .map(|(c, info)| {
                        json!({"id": format!("{c}"), "peerId": info.peer.to_string(),
                               "remoteAddr": info.remote.to_string(), "direction": info.direction})
                    })
                    .collect();
                reply_ok(&id, object(json!({ "connections": list })))
            }
            "hangup" => {
                let peer = target
                    .as_deref()
                    .map(|t| if t.starts_with('/') { t.parse::<Multiaddr>().ok().and_then(|a| without_p2p(&a).1) } else { t.parse().ok() });
                match peer.flatten() {
                    Some(peer) => {
                        let _ = self.swarm.disconnect_peer_id(peer);
                        reply_ok(&id, Map::new())
                    }
                    None => reply_err(&id, "missing or bad peerId"),
                }
            }
            "autonat-check" => self.autonat_check(id, &args, timeout),
            "autonat-request" => {
                let addrs: Result<Vec<Multiaddr>, _> = args
                    .get("addrs")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).map(str::parse).collect())
                    .unwrap_or_else(|| Ok(Vec::new()));
                match (str_arg("addr"), addrs) {
                    (Some(server), Ok(addrs)) => self.request_over_our_connection(id, &server, addrs, timeout),
                    (None, _) => reply_err(&id, "missing addr"),
                    (_, Err(e)) => reply_err(&id, format!("bad addrs: {e}")),
                }
            }
            "stop" => {
                reply_ok(&id, Map::new());
                self.stopping = true;
            }
            other => reply_err(&id, format!("unknown cmd: {other}")),
        }
    }

    /// autonat-check {addrs: [addr], server?}: the stock client tests only swarm candidates, one
    /// address per request, against a random connected server that listed dial-request. The answer
    /// is its event for that address: REACHABLE (Ok), UNREACHABLE (AddressNotReachable, with the
    /// reason) or, when it never concludes (it retries refusals and errors silently), a timeout.
    fn autonat_check(&mut self, id: Value, args: &Map<String, Value>, timeout: Duration) {
        if !self.options.has("autonat-client") {
            return reply_err(&id, "no AutoNAT v2 client: start with --service autonat-client");
        }
        let addr = match args
            .get("addrs")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::parse::<Multiaddr>)
        {
            Some(Ok(a)) => a,
            _ => return reply_err(&id, "missing or bad addrs[0]"),
        };
        match args.get("server").and_then(Value::as_str) {
            Some(server) => self.dial(id, server, Then::AutonatCheck { addr }, timeout),
            None => self.request_check(id, addr, timeout),
        }
    }

    fn request_check(&mut self, id: Value, addr: Multiaddr, timeout: Duration) {
        if let Some(done) = self.autonat_results.get(&addr) {
            return reply_ok(&id, object(done.clone()));
        }
        self.swarm.behaviour_mut().candidates.add(addr.clone());
        self.add_pending(id, Wait::AutonatResult { addr }, timeout);
    }

    /// Asks over a connection we already dialed to the server (go and js do the same), or dials
    /// one: a new connection per request would pile up (servers cap connections per IP).
    fn request_over_our_connection(&mut self, id: Value, server: &str, addrs: Vec<Multiaddr>, timeout: Duration) {
        let peer = server.parse::<Multiaddr>().ok().and_then(|a| without_p2p(&a).1);
        let connected = peer.and_then(|p| {
            self.connections
                .values()
                .find(|c| c.peer == p && c.direction == "outbound")
                .map(|c| (p, c.remote.clone()))
        });
        match connected {
            Some((peer, remote)) => {
                let deadline = Instant::now() + timeout;
                self.then(id, Then::WireRequest { addrs }, peer, &remote, deadline)
            }
            None => self.dial(id, server, Then::WireRequest { addrs }, timeout),
        }
    }

    fn wire_request(&self, id: Value, peer: PeerId, addrs: Vec<Multiaddr>) {
        let mut control = self.control.clone();
        let nonces = self.wire_nonces.clone();
        tokio::spawn(async move {
            match wire_request(&mut control, nonces, peer, addrs).await {
                Ok(result) => reply_ok(&id, result),
                Err(e) => reply_err(&id, e),
            }
        });
    }

    fn echo(&self, id: Value, peer: PeerId, bytes: u64, seed: Option<String>) {
        let mut control = self.control.clone();
        tokio::spawn(async move {
            match echo_client(&mut control, peer, bytes, seed).await {
                Ok(result) => reply_ok(&id, result),
                Err(e) => reply_err(&id, e),
            }
        });
    }

    fn then(&mut self, id: Value, then: Then, peer: PeerId, remote: &Multiaddr, deadline: Instant) {
        let left = deadline.saturating_duration_since(Instant::now());
        match then {
            Then::Reply => reply_ok(
                &id,
                object(json!({"peerId": peer.to_string(), "remoteAddr": remote.to_string(), "direction": "outbound"})),
            ),
            Then::Ping => self.add_pending(id, Wait::Ping { peer }, left),
            Then::Echo { bytes, seed } => self.echo(id, peer, bytes, seed),
            Then::WireRequest { addrs } => {
                // a server's dial-back connection to us may still be open (rust keeps them, and
                // serves no dial-request on connections it dialed): close it before the request
                let inbound: Vec<ConnectionId> = self
                    .connections
                    .iter()
                    .filter(|(_, c)| c.peer == peer && c.direction == "inbound")
                    .map(|(id, _)| *id)
                    .collect();
                if inbound.is_empty() {
                    self.wire_request(id, peer, addrs);
                } else {
                    for connection in &inbound {
                        self.swarm.close_connection(*connection);
                    }
                    self.add_pending(id, Wait::Closing { peer, connections: inbound, addrs }, left);
                }
            }
            Then::AutonatCheck { addr } => {
                if self.autonat_servers.get(&peer) == Some(&true) {
                    self.request_check(id, addr, left)
                } else {
                    self.add_pending(id, Wait::AutonatServer { peer, addr }, left)
                }
            }
        }
    }

    /// Resolves every pending command that `matches`; returns those that did.
    fn take(&mut self, matches: impl Fn(&Wait) -> bool) -> Vec<Pending> {
        let (done, rest) = std::mem::take(&mut self.pending).into_iter().partition(|p| matches(&p.wait));
        self.pending = rest;
        done
    }

    fn expire(&mut self) {
        let now = Instant::now();
        let (expired, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending).into_iter().partition(|p| p.deadline <= now);
        self.pending = rest;
        for p in expired {
            let what = match &p.wait {
                Wait::Dial { .. } => "connection".to_string(),
                Wait::Identify { peer } => format!("identify result from {peer}"),
                Wait::Ping { peer } => format!("ping of {peer}"),
                Wait::AutonatResult { addr } => format!("AutoNAT v2 client event for {addr}"),
                Wait::AutonatServer { peer, .. } => format!("identify listing dial-request from {peer}"),
                Wait::Closing { peer, .. } => format!("close of the dial-back connections of {peer}"),
            };
            reply_err(&p.id, format!("timeout: no {what}"));
        }
    }

    fn on_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::ConnectionEstablished { peer_id, connection_id, endpoint, .. } => {
                let (direction, remote) = match &endpoint {
                    ConnectedPoint::Dialer { address, .. } => ("outbound", address.clone()),
                    ConnectedPoint::Listener { send_back_addr, .. } => ("inbound", send_back_addr.clone()),
                };
                emit(json!({"event": "connection", "peerId": peer_id.to_string(), "direction": direction,
                            "remoteAddr": remote.to_string()}));
                self.connections.insert(connection_id, ConnectionInfo { peer: peer_id, remote: remote.clone(), direction });
                for p in self.take(|w| matches!(w, Wait::Dial { connection, .. } if *connection == connection_id)) {
                    if let Wait::Dial { then, .. } = p.wait {
                        self.then(p.id, *then, peer_id, &remote, p.deadline);
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError { connection_id, error, .. } => {
                for p in self.take(|w| matches!(w, Wait::Dial { connection, .. } if *connection == connection_id)) {
                    reply_err(&p.id, format!("dial failed: {error}"));
                }
            }
            SwarmEvent::ConnectionClosed { peer_id, connection_id, .. } => {
                if let Some(info) = self.connections.remove(&connection_id) {
                    emit(json!({"event": "connection-closed", "peerId": peer_id.to_string(),
                                "direction": info.direction, "remoteAddr": info.remote.to_string()}));
                }
                for p in &mut self.pending {
                    if let Wait::Closing { connections, .. } = &mut p.wait {
                        connections.retain(|c| *c != connection_id);
                    }
                }
                for p in self.take(|w| matches!(w, Wait::Closing { connections, .. } if connections.is_empty())) {
                    if let Wait::Closing { peer, addrs, .. } = p.wait {
                        self.wire_request(p.id, peer, addrs);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received { peer_id, info, connection_id })) => {
                let (remote, direction) = self
                    .connections
                    .get(&connection_id)
                    .map(|c| (c.remote.to_string(), c.direction))
                    .unwrap_or_default();
                let serves_autonat = info.protocols.iter().any(|p| p.as_ref() == "/libp2p/autonat/2/dial-request");
                let result = json!({
                    "peerId": peer_id.to_string(),
                    "protocols": info.protocols.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                    "agentVersion": info.agent_version,
                    "protocolVersion": info.protocol_version,
                    "listenAddrs": info.listen_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                    "observedAddr": info.observed_addr.to_string(),
                    "publicKey": hex::encode(info.public_key.encode_protobuf()),
                    "signedPeerRecord": info.signed_peer_record.as_ref().map(|_| json!({"present": true})),
                    "remoteAddr": remote,
                    "direction": direction,
                });
                let mut event = object(result.clone());
                event.insert("event".into(), "identify".into());
                emit(Value::Object(event));
                self.identified.insert(peer_id, result.clone());
                self.autonat_servers.insert(peer_id, serves_autonat);
                for p in self.take(|w| matches!(w, Wait::Identify { peer } if *peer == peer_id)) {
                    reply_ok(&p.id, object(result.clone()));
                }
                for p in self.take(|w| matches!(w, Wait::AutonatServer { peer, .. } if *peer == peer_id)) {
                    let left = p.deadline.saturating_duration_since(Instant::now());
                    match p.wait {
                        Wait::AutonatServer { addr, .. } if serves_autonat => self.request_check(p.id, addr, left),
                        _ => reply_err(&p.id, format!("{peer_id} does not list /libp2p/autonat/2/dial-request")),
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Ping(ping::Event { peer, result: Ok(rtt), .. })) => {
                for p in self.take(|w| matches!(w, Wait::Ping { peer: wanted } if *wanted == peer)) {
                    reply_ok(&p.id, object(json!({"rtt": rtt.as_secs_f64() * 1000.0})));
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::AutonatServer(e)) => {
                emit(json!({
                    "event": "dial-request-served",
                    "client": e.client.to_string(),
                    "allAddrs": e.all_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                    "dialedAddr": e.tested_addr.to_string(),
                    "dialDataBytes": e.data_amount,
                    "dialDataRequired": e.data_amount > 0,
                    "error": e.result.as_ref().err().map(|err| err.to_string()),
                }));
            }
            SwarmEvent::Behaviour(BehaviourEvent::AutonatClient(e)) => {
                let (reachability, error) = match &e.result {
                    Ok(()) => ("REACHABLE", None),
                    Err(err) => ("UNREACHABLE", Some(err.to_string())),
                };
                let result = json!({
                    "addr": e.tested_addr.to_string(),
                    "idx": 0,
                    "reachability": reachability,
                    "error": error,
                    "bytesSent": e.bytes_sent,
                    "server": e.server.to_string(),
                });
                let mut event = object(result.clone());
                event.insert("event".into(), "autonat-result".into());
                emit(Value::Object(event));
                self.autonat_results.insert(e.tested_addr.clone(), result.clone());
                let tested = e.tested_addr;
                for p in self.take(|w| matches!(w, Wait::AutonatResult { addr } if *addr == tested)) {
                    reply_ok(&p.id, object(result.clone()));
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- echo

async fn serve_echo(peer: PeerId, stream: libp2p::Stream) {
    let (mut reader, mut writer) = stream.split();
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; ECHO_CHUNK];
    let mut total: u64 = 0;
    let result: std::io::Result<()> = async {
        loop {
            let n = reader.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            total += n as u64;
            writer.write_all(&buf[..n]).await?;
        }
        writer.close().await
    }
    .await;
    match result {
        Ok(()) => emit(json!({"event": "echo-served", "peerId": peer.to_string(), "bytes": total,
                              "sha256": hex::encode(hash.finalize())})),
        Err(e) => emit(json!({"event": "echo-failed", "peerId": peer.to_string(), "bytes": total,
                              "error": e.to_string()})),
    }
}

/// Deterministic with a seed (sha256 counter mode, as peer.mjs), random otherwise.
fn payload_chunk(seed: &Option<String>, counter: &mut u64, size: usize) -> Vec<u8> {
    let mut buf = vec![0u8; size];
    match seed {
        None => rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut buf),
        Some(seed) => {
            for off in (0..size).step_by(32) {
                let sum = Sha256::digest(format!("{seed}:{counter}").as_bytes());
                *counter += 1;
                let end = (off + 32).min(size);
                buf[off..end].copy_from_slice(&sum[..end - off]);
            }
        }
    }
    buf
}

async fn echo_client(
    control: &mut libp2p_stream::Control,
    peer: PeerId,
    total: u64,
    seed: Option<String>,
) -> Result<Map<String, Value>, String> {
    let started = Instant::now();
    let stream = control.open_stream(peer, ECHO_PROTOCOL).await.map_err(|e| e.to_string())?;
    let (mut reader, mut writer) = stream.split();
    let write = async move {
        let mut sent = Sha256::new();
        let mut counter = 0u64;
        let mut left = total;
        while left > 0 {
            let size = (ECHO_CHUNK as u64).min(left) as usize;
            let chunk = payload_chunk(&seed, &mut counter, size);
            sent.update(&chunk);
            writer.write_all(&chunk).await?;
            left -= size as u64;
        }
        writer.close().await?;
        Ok::<_, std::io::Error>(hex::encode(sent.finalize()))
    };
    let read = async move {
        let mut received = Sha256::new();
        let mut buf = vec![0u8; ECHO_CHUNK];
        let mut bytes = 0u64;
        loop {
            let n = reader.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            received.update(&buf[..n]);
            bytes += n as u64;
        }
        Ok::<_, std::io::Error>((bytes, hex::encode(received.finalize())))
    };
    let (sent, received) = futures::join!(write, read);
    let sent_sha = sent.map_err(|e| e.to_string())?;
    let (received_bytes, received_sha) = received.map_err(|e| e.to_string())?;
    Ok(object(json!({
        "sentBytes": total, "receivedBytes": received_bytes, "sentSha256": sent_sha,
        "receivedSha256": received_sha, "match": total == received_bytes && sent_sha == received_sha,
        "ms": started.elapsed().as_millis() as u64,
    })))
}


// ---------------------------------------------------------------- AutoNAT v2: wire-level client

/// The AutoNAT v2 messages the wire-level client sends and reads, encoded by hand (proto3, field
/// numbers of the spec's autonatv2.proto): the harness must not depend on libp2p-autonat internals.
mod wire {
    use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

    pub const DIAL_REQUEST: &str = "/libp2p/autonat/2/dial-request";
    pub const DIAL_BACK: &str = "/libp2p/autonat/2/dial-back";
    pub const MAX_MESSAGE: usize = 8192;
    pub const DIAL_BACK_MAX: usize = 1024;
    pub const DIAL_DATA_CHUNK: usize = 4096;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn bytes_field(field: u64, data: &[u8], out: &mut Vec<u8>) {
        varint(field << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    fn message(field: u64, inner: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        bytes_field(field, inner, &mut out);
        out
    }

    /// Message{dialRequest: DialRequest{addrs, nonce}}
    pub fn dial_request(addrs: &[Vec<u8>], nonce: u64) -> Vec<u8> {
        let mut inner = Vec::new();
        for a in addrs {
            bytes_field(1, a, &mut inner);
        }
        varint(2 << 3 | 1, &mut inner);
        inner.extend_from_slice(&nonce.to_le_bytes());
        message(1, &inner)
    }

    /// Message{dialDataResponse: DialDataResponse{data}}
    pub fn dial_data_response(data: &[u8]) -> Vec<u8> {
        let mut inner = Vec::new();
        bytes_field(1, data, &mut inner);
        message(4, &inner)
    }

    /// DialBackResponse{status: OK}: every field at its default, so no bytes at all
    pub fn dial_back_response_ok() -> Vec<u8> {
        Vec::new()
    }

    pub async fn write_frame(io: &mut (impl AsyncWrite + Unpin), payload: &[u8]) -> std::io::Result<()> {
        let mut framed = Vec::with_capacity(payload.len() + 4);
        varint(payload.len() as u64, &mut framed);
        framed.extend_from_slice(payload);
        io.write_all(&framed).await?;
        io.flush().await
    }

    pub async fn read_frame(io: &mut (impl AsyncRead + Unpin), max: usize) -> std::io::Result<Vec<u8>> {
        let mut length: u64 = 0;
        for shift in (0..70).step_by(7) {
            let mut byte = [0u8; 1];
            io.read_exact(&mut byte).await?;
            length |= u64::from(byte[0] & 0x7f) << shift;
            if byte[0] & 0x80 == 0 {
                if length as usize > max {
                    return Err(std::io::Error::other(format!("frame of {length} bytes > {max}")));
                }
                let mut buf = vec![0u8; length as usize];
                io.read_exact(&mut buf).await?;
                return Ok(buf);
            }
        }
        Err(std::io::Error::other("length varint longer than 10 bytes"))
    }

    /// The fields of one protobuf message: (field number, varint value or bytes).
    pub enum Value {
        Varint(u64),
        Bytes(Vec<u8>),
        Fixed64(u64),
    }

    pub fn fields(mut buf: &[u8]) -> std::io::Result<Vec<(u64, Value)>> {
        fn read_varint(buf: &mut &[u8]) -> std::io::Result<u64> {
            let mut v = 0u64;
            for shift in (0..70).step_by(7) {
                let (&b, rest) = buf.split_first().ok_or_else(|| std::io::Error::other("truncated varint"))?;
                *buf = rest;
                v |= u64::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    return Ok(v);
                }
            }
            Err(std::io::Error::other("varint too long"))
        }
        let mut out = Vec::new();
        while !buf.is_empty() {
            let key = read_varint(&mut buf)?;
            let value = match key & 7 {
                0 => Value::Varint(read_varint(&mut buf)?),
                1 => {
                    if buf.len() < 8 {
                        return Err(std::io::Error::other("truncated fixed64"));
                    }
                    let (v, rest) = buf.split_at(8);
                    buf = rest;
                    Value::Fixed64(u64::from_le_bytes(v.try_into().expect("8 bytes")))
                }
                2 => {
                    let n = read_varint(&mut buf)? as usize;
                    if buf.len() < n {
                        return Err(std::io::Error::other("truncated bytes"));
                    }
                    let (v, rest) = buf.split_at(n);
                    buf = rest;
                    Value::Bytes(v.to_vec())
                }
                other => return Err(std::io::Error::other(format!("wire type {other}"))),
            };
            out.push((key >> 3, value));
        }
        Ok(out)
    }

    pub fn varint_of(fields: &[(u64, Value)], number: u64) -> u64 {
        fields
            .iter()
            .find_map(|(n, v)| match v {
                Value::Varint(x) if *n == number => Some(*x),
                _ => None,
            })
            .unwrap_or(0)
    }

    pub fn fixed64_of(fields: &[(u64, Value)], number: u64) -> u64 {
        fields
            .iter()
            .find_map(|(n, v)| match v {
                Value::Fixed64(x) if *n == number => Some(*x),
                _ => None,
            })
            .unwrap_or(0)
    }

    pub fn response_status(code: u64) -> String {
        match code {
            0 => "E_INTERNAL_ERROR".into(),
            100 => "E_REQUEST_REJECTED".into(),
            101 => "E_DIAL_REFUSED".into(),
            200 => "OK".into(),
            other => other.to_string(),
        }
    }

    pub fn dial_status(code: u64) -> String {
        match code {
            0 => "UNUSED".into(),
            100 => "E_DIAL_ERROR".into(),
            101 => "E_DIAL_BACK_ERROR".into(),
            200 => "OK".into(),
            other => other.to_string(),
        }
    }
}

type WireNonces = std::sync::Arc<std::sync::Mutex<HashMap<u64, Vec<Value>>>>;

/// Answers dial-backs for the nonces of running autonat-request commands (mounted only when the
/// stock client is not running): DialBackResponse OK for ours, the stream dropped otherwise.
async fn serve_wire_dial_back(peer: PeerId, mut stream: libp2p::Stream, nonces: WireNonces) {
    let Ok(frame) = wire::read_frame(&mut stream, wire::DIAL_BACK_MAX).await else { return };
    let Ok(fields) = wire::fields(&frame) else { return };
    let nonce = wire::fixed64_of(&fields, 1);
    let known = {
        let mut map = nonces.lock().expect("not poisoned");
        match map.get_mut(&nonce) {
            Some(seen) => {
                seen.push(json!({"nonce": nonce.to_string(), "matched": true, "peerId": peer.to_string(),
                                 "handler": "harness"}));
                true
            }
            None => false,
        }
    };
    if known {
        let _ = wire::write_frame(&mut stream, &wire::dial_back_response_ok()).await;
        let _ = stream.close().await;
    }
}

async fn wire_request(
    control: &mut libp2p_stream::Control,
    nonces: WireNonces,
    server: PeerId,
    addrs: Vec<Multiaddr>,
) -> Result<Map<String, Value>, String> {
    let nonce: u64 = rand::random();
    nonces.lock().expect("not poisoned").insert(nonce, Vec::new());
    let started = Instant::now();
    let result = async {
        let mut stream = control
            .open_stream(server, StreamProtocol::new(wire::DIAL_REQUEST))
            .await
            .map_err(|e| e.to_string())?;
        let encoded: Vec<Vec<u8>> = addrs.iter().map(|a| a.to_vec()).collect();
        wire::write_frame(&mut stream, &wire::dial_request(&encoded, nonce)).await.map_err(|e| e.to_string())?;
        let mut messages = Vec::new();
        let mut paid = 0usize;
        let mut stream_end = "open".to_string();
        loop {
            let frame = match wire::read_frame(&mut stream, wire::MAX_MESSAGE).await {
                Ok(f) => f,
                Err(e) => {
                    stream_end = format!("error: {e}");
                    break;
                }
            };
            let outer = wire::fields(&frame).map_err(|e| e.to_string())?;
            let Some((number, wire::Value::Bytes(inner))) = outer.into_iter().next() else {
                messages.push(json!({"type": "unexpected"}));
                break;
            };
            let inner = wire::fields(&inner).map_err(|e| e.to_string())?;
            match number {
                3 => {
                    let num_bytes = wire::varint_of(&inner, 2) as usize;
                    messages.push(json!({"type": "dialDataRequest", "addrIdx": wire::varint_of(&inner, 1),
                                         "numBytes": num_bytes}));
                    let chunk = vec![0u8; wire::DIAL_DATA_CHUNK];
                    let mut left = num_bytes;
                    while left > 0 {
                        let n = left.min(wire::DIAL_DATA_CHUNK);
                        wire::write_frame(&mut stream, &wire::dial_data_response(&chunk[..n]))
                            .await
                            .map_err(|e| e.to_string())?;
                        paid += n;
                        left -= n;
                    }
                }
                2 => {
                    messages.push(json!({"type": "dialResponse",
                        "status": wire::response_status(wire::varint_of(&inner, 1)),
                        "addrIdx": wire::varint_of(&inner, 2),
                        "dialStatus": wire::dial_status(wire::varint_of(&inner, 3))}));
                    break;
                }
                _ => {
                    messages.push(json!({"type": "unexpected"}));
                    break;
                }
            }
        }
        let _ = stream.close().await;
        Ok::<_, String>((messages, paid, stream_end))
    }
    .await;
    let dial_backs = nonces.lock().expect("not poisoned").remove(&nonce).unwrap_or_default();
    let (messages, paid, stream_end) = result?;
    let elapsed = started.elapsed();
    Ok(object(json!({
        "nonce": nonce.to_string(), "messages": messages, "dialBacks": dial_backs,
        "streamEnd": stream_end, "dialDataBytesSent": paid, "ms": elapsed.as_millis() as u64,
        "elapsedMs": (elapsed.as_micros() as f64) / 1000.0,
    })))
}

// ---------------------------------------------------------------- main

#[tokio::main]
async fn main() {
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            log_err(format!("bad arguments: {e}"));
            std::process::exit(2);
        }
    };
    let mut node = match Node::new(options) {
        Ok(n) => n,
        Err(e) => {
            log_err(format!("start failed: {e}"));
            std::process::exit(2);
        }
    };
    if !node.options.has("autonat-client") {
        let mut dial_backs = node
            .control
            .accept(StreamProtocol::new(wire::DIAL_BACK))
            .expect("dial-back registered once");
        let nonces = node.wire_nonces.clone();
        tokio::spawn(async move {
            while let Some((peer, stream)) = dial_backs.next().await {
                tokio::spawn(serve_wire_dial_back(peer, stream, nonces.clone()));
            }
        });
    }
    let mut incoming = node.control.accept(ECHO_PROTOCOL).expect("echo registered once");
    tokio::spawn(async move {
        while let Some((peer, stream)) = incoming.next().await {
            tokio::spawn(serve_echo(peer, stream));
        }
    });

    // ready once every listener has its address
    let wanted = node.options.listen.len();
    while node.swarm.listeners().count() < wanted {
        if let SwarmEvent::ListenerError { error, .. } | SwarmEvent::ListenerClosed { reason: Err(error), .. } =
            node.swarm.select_next_some().await
        {
            log_err(format!("listen failed: {error}"));
            std::process::exit(2);
        }
    }
    let mut ready = node.info();
    ready.insert("event".into(), "ready".into());
    ready.insert("pid".into(), std::process::id().into());
    emit(Value::Object(ready));

    let (lines_tx, mut lines) = mpsc::unbounded_channel::<Option<String>>();
    tokio::spawn(async move {
        let mut stdin = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = stdin.next_line().await {
            if lines_tx.send(Some(line)).is_err() {
                return;
            }
        }
        let _ = lines_tx.send(None);
    });
    let mut tick = tokio::time::interval(DEADLINE_TICK);
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    let reason = loop {
        tokio::select! {
            event = node.swarm.select_next_some() => node.on_event(event),
            line = lines.recv() => match line.flatten() {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => match serde_json::from_str::<Value>(&line) {
                    Ok(req) => node.handle_command(req),
                    Err(e) => emit(json!({"id": null, "ok": false, "error": format!("bad JSON: {e}")})),
                },
                None => break "stdin closed",
            },
            _ = tick.tick() => node.expire(),
            _ = sigterm.recv() => break "SIGTERM",
        }
        if node.stopping {
            break "stop command";
        }
    };
    log_err(format!("stopping: {reason}"));
    emit(json!({"event": "stopped"}));
    std::process::exit(0);
}
