package main

// The Kademlia DHT (go-libp2p-kad-dht) for the discovery tests: --dht server|client joins the
// DHT through --bootstrap peers; dht-refresh and dht-table let a test wait for the table to fill.

import (
	"context"
	"fmt"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// startDHT joins the DHT in the mode asked, bootstrapped from the given peers (none: the first node).
func (n *peerNode) startDHT() error {
	var mode dht.ModeOpt
	switch n.opts.dhtMode {
	case "server":
		mode = dht.ModeServer
	case "client":
		mode = dht.ModeClient
	default:
		return fmt.Errorf("--dht must be server or client, was %q", n.opts.dhtMode)
	}
	var bootstrap []peer.AddrInfo
	for _, s := range n.opts.bootstrap {
		addr, err := ma.NewMultiaddr(s)
		if err != nil {
			return fmt.Errorf("--bootstrap %s: %w", s, err)
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return fmt.Errorf("--bootstrap %s: %w", s, err)
		}
		bootstrap = append(bootstrap, *info)
	}
	d, err := dht.New(n.host, dht.Mode(mode), dht.BootstrapPeers(bootstrap...))
	if err != nil {
		return fmt.Errorf("dht.New: %w", err)
	}
	n.dht = d
	return d.Bootstrap(context.Background())
}

// cmdDHTRefresh refreshes the routing table now and waits for it.
func (n *peerNode) cmdDHTRefresh(ctx context.Context) (map[string]any, error) {
	if n.dht == nil {
		return nil, fmt.Errorf("no DHT: start with --dht")
	}
	select {
	case err := <-n.dht.RefreshRoutingTable():
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return n.cmdDHTTable()
}

// cmdDHTTable lists the peers in the routing table.
func (n *peerNode) cmdDHTTable() (map[string]any, error) {
	if n.dht == nil {
		return nil, fmt.Errorf("no DHT: start with --dht")
	}
	peers := []string{}
	for _, p := range n.dht.RoutingTable().ListPeers() {
		peers = append(peers, p.String())
	}
	return map[string]any{"peers": peers}, nil
}
