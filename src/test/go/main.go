// A long-running go-libp2p peer driven by the Java interop tests (InteropPeer.java).
//
// Protocol (the same as src/test/js/peer.mjs and src/test/rust): one JSON object per line.
//
//	stdout: {"event":"ready",...} once listening, then answers {"id":N,"ok":true,...} /
//	        {"id":N,"ok":false,"error":"..."} and events {"event":...}.
//	stdin:  commands {"id":N,"cmd":"dial","addr":"/ip4/..."}; see README.md for the list.
//
// Nothing else is written to stdout; diagnostics go to stderr. The process exits on stdin EOF (so a
// dead test never leaves a node behind), on "stop" and on SIGTERM.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/protocol/autonatv2"
	autonatpb "github.com/libp2p/go-libp2p/p2p/protocol/autonatv2/pb"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/libp2p/go-msgio/pbio"
	ma "github.com/multiformats/go-multiaddr"
)

const (
	echoProtocol     = protocol.ID("/test/echo/1.0.0")
	defaultTimeout   = 30 * time.Second
	echoChunk        = 16 * 1024
	maxEchoBytes     = 256 * 1024 * 1024
	maxCommandLength = 1024 * 1024
	stopTimeout      = 5 * time.Second
	// go-libp2p would name the main module here; the tests want to see the implementation
	defaultAgent = "go-libp2p/v0.52.0 (reachability interop peer)"
)

// ---------------------------------------------------------------- output

var stdoutMu sync.Mutex

func emit(obj map[string]any) {
	line, err := json.Marshal(obj)
	if err != nil {
		logErr("cannot encode", obj, err)
		return
	}
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

func logErr(args ...any) {
	fmt.Fprintf(os.Stderr, "[go-peer %s] %s\n", time.Now().UTC().Format(time.RFC3339Nano), fmt.Sprint(args...))
}

// ---------------------------------------------------------------- options

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	listen         listFlag
	services       listFlag
	keyType        string
	keySeed        string
	privateKey     string
	agentVersion   string
	allowPrivate   bool
	serverRateSpec string
	dhtMode        string
	bootstrap      listFlag
}

func parseOptions() options {
	var o options
	flag.Var(&o.listen, "listen", "listen multiaddr (repeatable); default /ip4/127.0.0.1/tcp/0")
	flag.Var(&o.services, "service", "autonat-server, autonat-client or autonat (both); repeatable")
	flag.StringVar(&o.keyType, "key-type", "ed25519", "identity key type: ed25519, rsa (2048), secp256k1, ecdsa (P-256)")
	flag.StringVar(&o.keySeed, "key-seed", "", "64 hex chars: deterministic Ed25519 key")
	flag.StringVar(&o.privateKey, "private-key", "", "hex protobuf PrivateKey")
	flag.StringVar(&o.agentVersion, "agent-version", "", "identify agentVersion")
	flag.BoolVar(&o.allowPrivate, "allow-private", false, "autonatv2.AllowPrivateAddrs: check and dial back loopback/private addresses (tests only)")
	security := flag.String("security", "", "tls: secure TCP with TLS only (default: Noise preferred, TLS offered)")
	flag.StringVar(&o.dhtMode, "dht", "", "server or client: join the Kademlia DHT (/ipfs/kad/1.0.0) in that mode")
	flag.Var(&o.bootstrap, "bootstrap", "a DHT bootstrap peer, /…/p2p/<id> (repeatable)")
	flag.StringVar(&o.serverRateSpec, "server-rate-limit", "", "rpm,perPeerRPM,dialDataRPM,maxConcurrentPerPeer for autonatv2.WithServerRateLimit (default: go's)")
	flag.Parse()
	tlsOnly = *security == "tls"
	if len(o.listen) == 0 {
		o.listen = listFlag{"/ip4/127.0.0.1/tcp/0"}
	}
	return o
}

func (o options) has(service string) bool {
	for _, s := range o.services {
		if s == service || s == "autonat" {
			return true
		}
	}
	return false
}

func loadKey(o options) (crypto.PrivKey, error) {
	if o.privateKey != "" {
		raw, err := hex.DecodeString(o.privateKey)
		if err != nil {
			return nil, fmt.Errorf("--private-key: %w", err)
		}
		return crypto.UnmarshalPrivateKey(raw)
	}
	if o.keySeed != "" {
		seed, err := hex.DecodeString(o.keySeed)
		if err != nil || len(seed) != 32 {
			return nil, errors.New("--key-seed must be 32 bytes of hex")
		}
		priv, _, err := crypto.GenerateEd25519Key(strings.NewReader(string(seed)))
		return priv, err
	}
	switch o.keyType {
	case "ed25519":
		priv, _, err := crypto.GenerateKeyPair(crypto.Ed25519, 0)
		return priv, err
	case "rsa":
		priv, _, err := crypto.GenerateKeyPair(crypto.RSA, 2048)
		return priv, err
	case "secp256k1":
		priv, _, err := crypto.GenerateKeyPair(crypto.Secp256k1, 0)
		return priv, err
	case "ecdsa":
		priv, _, err := crypto.GenerateKeyPair(crypto.ECDSA, 0)
		return priv, err
	}
	return nil, fmt.Errorf("unknown --key-type %q (ed25519, rsa, secp256k1, ecdsa)", o.keyType)
}

func serverRateLimit(spec string) (autonatv2.AutoNATOption, error) {
	parts := strings.Split(spec, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("--server-rate-limit wants 4 numbers, got %q", spec)
	}
	n := make([]int, 4)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--server-rate-limit: bad number %q", p)
		}
		n[i] = v
	}
	return autonatv2.WithServerRateLimit(n[0], n[1], n[2], n[3]), nil
}

// ---------------------------------------------------------------- node

type peerNode struct {
	opts    options
	host    host.Host
	dialer  host.Host
	autonat *autonatv2.AutoNAT
	dht     *dht.IpfsDHT

	mu             sync.Mutex
	identified     map[peer.ID]map[string]any
	identifyWaiter map[peer.ID][]chan map[string]any
	// nonces of running autonat-request commands -> the dial-backs that carried them
	wireNonces map[uint64]*[]map[string]any
}

// tlsOnly (--security tls): TCP connections use TLS, never Noise
var tlsOnly bool

// stockTransports: go-libp2p's defaults for TCP (Noise preferred, TLS offered) and QUIC-v1.
func stockTransports() []libp2p.Option {
	security := []libp2p.Option{libp2p.Security(noise.ID, noise.New), libp2p.Security(libp2ptls.ID, libp2ptls.New)}
	if tlsOnly {
		security = []libp2p.Option{libp2p.Security(libp2ptls.ID, libp2ptls.New)}
	}
	return append(security,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(libp2pquic.NewTransport),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		// the default resource manager's limits would throttle tests that open many streams
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.DisableRelay(),
	)
}

// metricsTracer turns the server's per-request record into an event the test can wait for.
type metricsTracer struct{}

func (metricsTracer) CompletedRequest(e autonatv2.EventDialRequestCompleted) {
	out := map[string]any{
		"event":            "dial-request-served",
		"responseStatus":   e.ResponseStatus.String(),
		"dialStatus":       e.DialStatus.String(),
		"dialDataRequired": e.DialDataRequired,
		"dialedAddr":       nil,
		"error":            nil,
	}
	if e.DialedAddr != nil {
		out["dialedAddr"] = e.DialedAddr.String()
	}
	if e.Error != nil {
		out["error"] = e.Error.Error()
	}
	emit(out)
}

func (metricsTracer) ClientCompletedRequest([]autonatv2.Request, autonatv2.Result, error) {}

func newPeerNode(o options) (*peerNode, error) {
	priv, err := loadKey(o)
	if err != nil {
		return nil, err
	}
	hostOpts := append(stockTransports(),
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(o.listen...),
	)
	agent := o.agentVersion
	if agent == "" {
		agent = defaultAgent
	}
	hostOpts = append(hostOpts, libp2p.UserAgent(agent))
	h, err := libp2p.New(hostOpts...)
	if err != nil {
		return nil, fmt.Errorf("libp2p.New: %w", err)
	}
	n := &peerNode{
		opts:           o,
		host:           h,
		identified:     map[peer.ID]map[string]any{},
		identifyWaiter: map[peer.ID][]chan map[string]any{},
		wireNonces:     map[uint64]*[]map[string]any{},
	}
	if o.has("autonat-server") || o.has("autonat-client") {
		if err := n.startAutonat(); err != nil {
			h.Close()
			return nil, err
		}
	}
	if o.dhtMode != "" {
		if err := n.startDHT(); err != nil {
			n.close()
			return nil, err
		}
	}
	return n, nil
}

// startAutonat builds AutoNAT v2 the way go-libp2p's EnableAutoNATv2 does (a dial-back host with a
// fresh Ed25519 identity and the same transports), plus the switches that option cannot pass:
// AllowPrivateAddrs and a server rate limit. The server is always mounted by autonatv2.Start; a
// client-only peer removes the dial-request handler again.
func (n *peerNode) startAutonat() error {
	dialerKey, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return err
	}
	dialer, err := libp2p.New(append(stockTransports(), libp2p.Identity(dialerKey), libp2p.NoListenAddrs)...)
	if err != nil {
		return fmt.Errorf("dial-back host: %w", err)
	}
	anOpts := []autonatv2.AutoNATOption{autonatv2.WithMetricsTracer(metricsTracer{})}
	if n.opts.allowPrivate {
		anOpts = append(anOpts, autonatv2.AllowPrivateAddrs)
	}
	if n.opts.serverRateSpec != "" {
		limit, err := serverRateLimit(n.opts.serverRateSpec)
		if err != nil {
			dialer.Close()
			return err
		}
		anOpts = append(anOpts, limit)
	}
	an, err := autonatv2.New(dialer, anOpts...)
	if err != nil {
		dialer.Close()
		return err
	}
	if err := an.Start(n.host); err != nil {
		dialer.Close()
		return err
	}
	if !n.opts.has("autonat-server") {
		n.host.RemoveStreamHandler(autonatv2.DialProtocol)
	}
	n.dialer = dialer
	n.autonat = an
	return nil
}

// ---------------------------------------------------------------- AutoNAT v2: wire-level client

const (
	wireMaxMessage     = 8192 // go's own maxMsgSize
	wireDialBackMax    = 1024
	wireDialDataChunk  = 4096
	wireRequestTimeout = 10 * time.Second
)

// serveWireDialBack answers dial-backs for the nonces of running autonat-request commands (mounted
// only when go's own client is not running): DialBackResponse OK for ours, a reset otherwise.
func (n *peerNode) serveWireDialBack(s network.Stream) {
	s.SetDeadline(time.Now().Add(wireRequestTimeout))
	var msg autonatpb.DialBack
	if err := pbio.NewDelimitedReader(s, wireDialBackMax).ReadMsg(&msg); err != nil {
		s.Reset()
		return
	}
	n.mu.Lock()
	seen, ok := n.wireNonces[msg.GetNonce()]
	if ok {
		*seen = append(*seen, map[string]any{
			"nonce": strconv.FormatUint(msg.GetNonce(), 10), "matched": true,
			"localAddr": s.Conn().LocalMultiaddr().String(), "remoteAddr": s.Conn().RemoteMultiaddr().String(),
			"peerId": s.Conn().RemotePeer().String(), "handler": "harness",
		})
	}
	n.mu.Unlock()
	if !ok {
		s.Reset()
		return
	}
	pbio.NewDelimitedWriter(s).WriteMsg(&autonatpb.DialBackResponse{Status: autonatpb.DialBackResponse_OK})
	s.Close()
}

// autonat-request {addr, addrs, keepDialBacks?}: one DialRequest on /libp2p/autonat/2/dial-request, dial
// data paid as asked (4096-byte chunks), until the DialResponse. The answer has the shape of
// peer.mjs's: {nonce, messages, dialBacks, streamEnd, dialDataBytesSent, elapsedMs}.
func (n *peerNode) cmdAutonatRequest(ctx context.Context, r request) (map[string]any, error) {
	server, err := n.target(ctx, request{"addr": r.str("addr")})
	if err != nil {
		return nil, err
	}
	var addrs [][]byte
	list, _ := r["addrs"].([]any)
	for _, a := range list {
		text, _ := a.(string)
		addr, err := ma.NewMultiaddr(text)
		if err != nil {
			return nil, fmt.Errorf("bad address %q: %w", text, err)
		}
		addrs = append(addrs, addr.Bytes())
	}
	var nonceBytes [8]byte
	rand.Read(nonceBytes[:])
	nonce := uint64(0)
	for _, b := range nonceBytes {
		nonce = nonce<<8 | uint64(b)
	}
	seen := []map[string]any{}
	n.mu.Lock()
	n.wireNonces[nonce] = &seen
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.wireNonces, nonce)
		n.mu.Unlock()
	}()
	// a server's dial-back connection to us may still be open; rust's serves no dial-request on
	// connections it dialed, and go would pick that newest one for the stream: hang it up first,
	// unless the test wants to see exactly that ("keepDialBacks": true)
	for _, c := range n.host.Network().ConnsToPeer(server) {
		if c.Stat().Direction == network.DirInbound && r["keepDialBacks"] != true {
			c.Close()
		}
	}
	started := time.Now()
	s, err := n.host.NewStream(ctx, server, autonatv2.DialProtocol)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if deadline, ok := ctx.Deadline(); ok {
		s.SetDeadline(deadline)
	}
	w := pbio.NewDelimitedWriter(s)
	rd := pbio.NewDelimitedReader(s, wireMaxMessage)
	result := map[string]any{"nonce": strconv.FormatUint(nonce, 10), "dialDataBytesSent": 0}
	messages := []map[string]any{}
	request := &autonatpb.Message{Msg: &autonatpb.Message_DialRequest{DialRequest: &autonatpb.DialRequest{Addrs: addrs, Nonce: nonce}}}
	if err := w.WriteMsg(request); err != nil {
		return nil, err
	}
	paid := 0
	streamEnd := "open"
	for {
		var msg autonatpb.Message
		if err := rd.ReadMsg(&msg); err != nil {
			streamEnd = "error: " + err.Error()
			break
		}
		if dd := msg.GetDialDataRequest(); dd != nil {
			messages = append(messages, map[string]any{"type": "dialDataRequest", "addrIdx": dd.GetAddrIdx(), "numBytes": dd.GetNumBytes()})
			chunk := make([]byte, wireDialDataChunk)
			for left := int(dd.GetNumBytes()); left > 0; left -= wireDialDataChunk {
				data := chunk[:min(left, wireDialDataChunk)]
				if err := w.WriteMsg(&autonatpb.Message{Msg: &autonatpb.Message_DialDataResponse{DialDataResponse: &autonatpb.DialDataResponse{Data: data}}}); err != nil {
					return nil, err
				}
				paid += len(data)
			}
			continue
		}
		if resp := msg.GetDialResponse(); resp != nil {
			messages = append(messages, map[string]any{"type": "dialResponse", "status": resp.GetStatus().String(),
				"addrIdx": resp.GetAddrIdx(), "dialStatus": resp.GetDialStatus().String()})
			break
		}
		messages = append(messages, map[string]any{"type": "unexpected"})
		break
	}
	elapsed := time.Since(started)
	n.mu.Lock()
	dialBacks := append([]map[string]any{}, seen...)
	n.mu.Unlock()
	result["messages"] = messages
	result["dialBacks"] = dialBacks
	result["streamEnd"] = streamEnd
	result["dialDataBytesSent"] = paid
	result["ms"] = elapsed.Milliseconds()
	result["elapsedMs"] = float64(elapsed.Microseconds()) / 1000
	return result, nil
}

func (n *peerNode) addrs() []string {
	out := []string{}
	for _, a := range n.host.Addrs() {
		out = append(out, a.String()+"/p2p/"+n.host.ID().String())
	}
	return out
}

func (n *peerNode) info() map[string]any {
	protos := []string{}
	for _, p := range n.host.Mux().Protocols() {
		protos = append(protos, string(p))
	}
	pub, _ := crypto.MarshalPublicKey(n.host.Peerstore().PubKey(n.host.ID()))
	return map[string]any{
		"peerId":         n.host.ID().String(),
		"addrs":          n.addrs(),
		"listenAddrs":    n.addrs(),
		"protocols":      protos,
		"services":       []string(n.opts.services),
		"keyType":        n.host.Peerstore().PubKey(n.host.ID()).Type().String(),
		"publicKey":      hex.EncodeToString(pub),
		"implementation": "go-libp2p v0.52.0",
	}
}

func (n *peerNode) watchEvents() error {
	sub, err := n.host.EventBus().Subscribe([]any{
		new(event.EvtPeerIdentificationCompleted),
		new(event.EvtPeerConnectednessChanged),
	})
	if err != nil {
		return err
	}
	n.host.Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			emit(map[string]any{"event": "connection", "peerId": c.RemotePeer().String(),
				"direction": direction(c.Stat().Direction), "remoteAddr": c.RemoteMultiaddr().String()})
		},
		DisconnectedF: func(_ network.Network, c network.Conn) {
			emit(map[string]any{"event": "connection-closed", "peerId": c.RemotePeer().String(),
				"direction": direction(c.Stat().Direction), "remoteAddr": c.RemoteMultiaddr().String()})
		},
	})
	go func() {
		for e := range sub.Out() {
			if id, ok := e.(event.EvtPeerIdentificationCompleted); ok {
				n.recordIdentify(id)
			}
		}
	}()
	return nil
}

func direction(d network.Direction) string {
	switch d {
	case network.DirInbound:
		return "inbound"
	case network.DirOutbound:
		return "outbound"
	}
	return "unknown"
}

func (n *peerNode) recordIdentify(e event.EvtPeerIdentificationCompleted) {
	listen := []string{}
	for _, a := range e.ListenAddrs {
		listen = append(listen, a.String())
	}
	protos := []string{}
	for _, p := range e.Protocols {
		protos = append(protos, string(p))
	}
	var pubHex any
	if pub := n.host.Peerstore().PubKey(e.Peer); pub != nil {
		if raw, err := crypto.MarshalPublicKey(pub); err == nil {
			pubHex = hex.EncodeToString(raw)
		}
	}
	var observed any
	if e.ObservedAddr != nil {
		observed = e.ObservedAddr.String()
	}
	var spr any
	if e.SignedPeerRecord != nil {
		spr = map[string]any{"present": true}
	}
	result := map[string]any{
		"peerId":           e.Peer.String(),
		"protocols":        protos,
		"agentVersion":     e.AgentVersion,
		"protocolVersion":  e.ProtocolVersion,
		"listenAddrs":      listen,
		"observedAddr":     observed,
		"publicKey":        pubHex,
		"signedPeerRecord": spr,
		"remoteAddr":       e.Conn.RemoteMultiaddr().String(),
		"direction":        direction(e.Conn.Stat().Direction),
	}
	n.mu.Lock()
	n.identified[e.Peer] = result
	waiters := n.identifyWaiter[e.Peer]
	delete(n.identifyWaiter, e.Peer)
	n.mu.Unlock()
	withEvent := map[string]any{"event": "identify"}
	for k, v := range result {
		withEvent[k] = v
	}
	emit(withEvent)
	for _, w := range waiters {
		w <- result
	}
}

// ---------------------------------------------------------------- echo

func (n *peerNode) serveEcho(s network.Stream) {
	hash := sha256.New()
	w := io.MultiWriter(s, hash)
	copied, err := io.Copy(w, s)
	remote := s.Conn().RemotePeer().String()
	if err != nil {
		emit(map[string]any{"event": "echo-failed", "peerId": remote, "bytes": copied, "error": err.Error()})
		s.Reset()
		return
	}
	s.Close()
	emit(map[string]any{"event": "echo-served", "peerId": remote, "bytes": copied, "sha256": hex.EncodeToString(hash.Sum(nil))})
}

// payload: deterministic with a seed (sha256 counter mode, as peer.mjs), random otherwise
func payloadChunk(seed string, counter *int, size int) []byte {
	buf := make([]byte, size)
	if seed == "" {
		rand.Read(buf)
		return buf
	}
	for off := 0; off < size; off += 32 {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", seed, *counter)))
		*counter++
		copy(buf[off:], sum[:])
	}
	return buf
}

// ---------------------------------------------------------------- commands

type request map[string]any

func (r request) str(key string) string {
	if v, ok := r[key].(string); ok {
		return v
	}
	return ""
}

func (r request) num(key string, dflt float64) float64 {
	if v, ok := r[key].(float64); ok {
		return v
	}
	if v, ok := r[key].(string); ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return dflt
}

func (r request) timeout() time.Duration {
	return time.Duration(r.num("timeoutMs", float64(defaultTimeout.Milliseconds()))) * time.Millisecond
}

// target: a multiaddr ending in /p2p/<id> (connected first) or a bare peer id
func (n *peerNode) target(ctx context.Context, r request) (peer.ID, error) {
	value := r.str("peerId")
	if value == "" {
		value = r.str("addr")
	}
	if value == "" {
		return "", errors.New("missing peerId or addr")
	}
	if !strings.HasPrefix(value, "/") {
		return peer.Decode(value)
	}
	addr, err := ma.NewMultiaddr(value)
	if err != nil {
		return "", err
	}
	info, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return "", err
	}
	// a fresh connection per dial command: tests decide which connection carries what
	if err := n.host.Connect(network.WithForceDirectDial(ctx, "test dial"), *info); err != nil {
		return "", err
	}
	return info.ID, nil
}

func (n *peerNode) cmdDial(ctx context.Context, r request) (map[string]any, error) {
	p, err := n.target(ctx, r)
	if err != nil {
		return nil, err
	}
	conns := n.host.Network().ConnsToPeer(p)
	if len(conns) == 0 {
		return nil, errors.New("connected, but no connection left")
	}
	c := conns[len(conns)-1]
	return map[string]any{"peerId": p.String(), "remoteAddr": c.RemoteMultiaddr().String(), "direction": direction(c.Stat().Direction)}, nil
}

func (n *peerNode) cmdIdentify(ctx context.Context, r request) (map[string]any, error) {
	p, err := peer.Decode(r.str("peerId"))
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	known, ok := n.identified[p]
	var ch chan map[string]any
	if !ok {
		ch = make(chan map[string]any, 1)
		n.identifyWaiter[p] = append(n.identifyWaiter[p], ch)
	}
	n.mu.Unlock()
	if ok && r["refresh"] != true {
		return known, nil
	}
	if ch == nil {
		ch = make(chan map[string]any, 1)
		n.mu.Lock()
		n.identifyWaiter[p] = append(n.identifyWaiter[p], ch)
		n.mu.Unlock()
	}
	for _, c := range n.host.Network().ConnsToPeer(p) {
		// IdentifyWait runs identify on a connection that has not had it yet, and waits otherwise
		if ids, ok := n.host.(interface{ IDService() identify.IDService }); ok {
			go func(c network.Conn) { <-ids.IDService().IdentifyWait(c) }(c)
		}
	}
	select {
	case res := <-ch:
		return res, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no identify result for %s: %w", p, ctx.Err())
	}
}

func (n *peerNode) cmdPing(ctx context.Context, r request) (map[string]any, error) {
	p, err := n.target(ctx, r)
	if err != nil {
		return nil, err
	}
	res := <-ping.Ping(ctx, n.host, p)
	if res.Error != nil {
		return nil, res.Error
	}
	return map[string]any{"rtt": float64(res.RTT.Microseconds()) / 1000}, nil
}

func (n *peerNode) cmdEcho(ctx context.Context, r request) (map[string]any, error) {
	total := int(r.num("bytes", 0))
	if total < 0 || total > maxEchoBytes {
		return nil, fmt.Errorf("bad bytes: %v", r["bytes"])
	}
	p, err := n.target(ctx, r)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	s, err := n.host.NewStream(ctx, p, echoProtocol)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		s.SetDeadline(deadline)
	}
	sent := sha256.New()
	received := sha256.New()
	writeErr := make(chan error, 1)
	go func() {
		counter := 0
		for left := total; left > 0; {
			size := min(echoChunk, left)
			chunk := payloadChunk(r.str("seed"), &counter, size)
			sent.Write(chunk)
			if _, err := s.Write(chunk); err != nil {
				writeErr <- err
				return
			}
			left -= size
		}
		writeErr <- s.CloseWrite()
	}()
	receivedBytes, err := io.Copy(received, s)
	if err != nil {
		s.Reset()
		return nil, err
	}
	if err := <-writeErr; err != nil {
		s.Reset()
		return nil, err
	}
	s.Close()
	sentSum := hex.EncodeToString(sent.Sum(nil))
	receivedSum := hex.EncodeToString(received.Sum(nil))
	return map[string]any{
		"sentBytes": total, "receivedBytes": receivedBytes, "sentSha256": sentSum, "receivedSha256": receivedSum,
		"match": int64(total) == receivedBytes && sentSum == receivedSum, "ms": time.Since(started).Milliseconds(),
	}, nil
}

func (n *peerNode) cmdConnections() map[string]any {
	out := []map[string]any{}
	for _, c := range n.host.Network().Conns() {
		streams := []map[string]any{}
		for _, s := range c.GetStreams() {
			streams = append(streams, map[string]any{"protocol": string(s.Protocol()), "direction": direction(s.Stat().Direction)})
		}
		out = append(out, map[string]any{"id": c.ID(), "peerId": c.RemotePeer().String(),
			"remoteAddr": c.RemoteMultiaddr().String(), "direction": direction(c.Stat().Direction), "streams": streams})
	}
	return map[string]any{"connections": out}
}

func (n *peerNode) cmdHangup(ctx context.Context, r request) (map[string]any, error) {
	value := r.str("peerId")
	if value == "" {
		value = r.str("addr")
	}
	if strings.HasPrefix(value, "/") {
		addr, err := ma.NewMultiaddr(value)
		if err != nil {
			return nil, err
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return nil, err
		}
		return map[string]any{}, n.host.Network().ClosePeer(info.ID)
	}
	p, err := peer.Decode(value)
	if err != nil {
		return nil, err
	}
	return map[string]any{}, n.host.Network().ClosePeer(p)
}

// autonat-check {addrs: [...], sendDialData?: true, server?: addr}: go's stock client,
// autonatv2.GetReachability, asking one of the connected servers that list dial-request in identify
// (connect to `server` first to make it one). Answers {addr, idx, reachability: REACHABLE |
// UNREACHABLE | UNKNOWN, allAddrsRefused} or an error naming go's reason.
func (n *peerNode) cmdAutonatCheck(ctx context.Context, r request) (map[string]any, error) {
	if n.autonat == nil {
		return nil, errors.New("no AutoNAT v2 client: start with --service autonat-client")
	}
	if server := r.str("server"); server != "" {
		p, err := n.target(ctx, request{"addr": server})
		if err != nil {
			return nil, fmt.Errorf("connect to server: %w", err)
		}
		if err := n.awaitAutonatPeer(ctx, p); err != nil {
			return nil, err
		}
	}
	sendDialData := r["sendDialData"] != false
	var reqs []autonatv2.Request
	list, _ := r["addrs"].([]any)
	for _, a := range list {
		s, _ := a.(string)
		addr, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("bad address %q: %w", s, err)
		}
		reqs = append(reqs, autonatv2.Request{Addr: addr, SendDialData: sendDialData})
	}
	if len(reqs) == 0 {
		return nil, errors.New("missing addrs")
	}
	started := time.Now()
	res, err := n.autonat.GetReachability(ctx, reqs)
	if err != nil {
		return nil, err
	}
	var addr any
	if res.Addr != nil {
		addr = res.Addr.String()
	}
	return map[string]any{
		"addr": addr, "idx": res.Idx, "reachability": reachability(res.Reachability),
		"allAddrsRefused": res.AllAddrsRefused, "ms": time.Since(started).Milliseconds(),
	}, nil
}

// awaitAutonatPeer waits until identify has told go that p serves dial-request (go picks servers
// only among those).
func (n *peerNode) awaitAutonatPeer(ctx context.Context, p peer.ID) error {
	for {
		protos, err := n.host.Peerstore().SupportsProtocols(p, autonatv2.DialProtocol)
		if err == nil && len(protos) > 0 {
			// autonatv2 learns it from the same identify event; leave it a moment to update its set
			time.Sleep(50 * time.Millisecond)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server %s never listed %s in identify", p, autonatv2.DialProtocol)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func reachability(r network.Reachability) string {
	switch r {
	case network.ReachabilityPublic:
		return "REACHABLE"
	case network.ReachabilityPrivate:
		return "UNREACHABLE"
	}
	return "UNKNOWN"
}

func (n *peerNode) handle(line string, stop func()) {
	var req request
	if err := json.Unmarshal([]byte(line), &req); err != nil {
		emit(map[string]any{"id": nil, "ok": false, "error": "bad JSON: " + err.Error()})
		return
	}
	id := req["id"]
	if args, ok := req["args"].(map[string]any); ok {
		for k, v := range args {
			req[k] = v
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), req.timeout())
	defer cancel()
	var result map[string]any
	var err error
	switch cmd := req.str("cmd"); cmd {
	case "dial":
		result, err = n.cmdDial(ctx, req)
	case "identify":
		result, err = n.cmdIdentify(ctx, req)
	case "ping":
		result, err = n.cmdPing(ctx, req)
	case "echo":
		result, err = n.cmdEcho(ctx, req)
	case "connections":
		result = n.cmdConnections()
	case "info":
		result = n.info()
	case "hangup":
		result, err = n.cmdHangup(ctx, req)
	case "autonat-check":
		result, err = n.cmdAutonatCheck(ctx, req)
	case "autonat-request":
		result, err = n.cmdAutonatRequest(ctx, req)
	case "dht-refresh":
		result, err = n.cmdDHTRefresh(ctx)
	case "dht-table":
		result, err = n.cmdDHTTable()
	case "stop":
		result = map[string]any{}
		defer stop()
	default:
		err = fmt.Errorf("unknown cmd: %s", cmd)
	}
	if err != nil {
		emit(map[string]any{"id": id, "ok": false, "error": err.Error()})
		return
	}
	out := map[string]any{"id": id, "ok": true}
	for k, v := range result {
		out[k] = v
	}
	emit(out)
}

func (n *peerNode) close() {
	if n.dht != nil {
		n.dht.Close()
	}
	if n.autonat != nil {
		n.autonat.Close()
	}
	if n.dialer != nil {
		n.dialer.Close()
	}
	n.host.Close()
}

func main() {
	o := parseOptions()
	n, err := newPeerNode(o)
	if err != nil {
		logErr("start failed: ", err)
		os.Exit(2)
	}
	n.host.SetStreamHandler(echoProtocol, n.serveEcho)
	if !o.has("autonat-client") {
		n.host.SetStreamHandler(autonatv2.DialBackProtocol, n.serveWireDialBack)
	}
	if err := n.watchEvents(); err != nil {
		logErr("event bus: ", err)
		os.Exit(2)
	}

	var once sync.Once
	done := make(chan struct{})
	stop := func(reason string) {
		once.Do(func() {
			logErr("stopping: ", reason)
			go func() {
				time.Sleep(stopTimeout)
				logErr("stop timed out, exiting")
				os.Exit(1)
			}()
			n.close()
			emit(map[string]any{"event": "stopped"})
			close(done)
		})
	}

	ready := n.info()
	ready["event"] = "ready"
	ready["pid"] = os.Getpid()
	emit(ready)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { stop((<-signals).String()) }()

	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		scanner.Buffer(make([]byte, 64*1024), maxCommandLength)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.TrimSpace(line) == "" {
				continue
			}
			go n.handle(line, func() { go stop("stop command") })
		}
		stop("stdin closed")
	}()
	<-done
}
