// Package outbound posts to URLs that organisations chose (webhooks) without letting them reach
// what only the server can: every address is checked after DNS resolution, on the connection
// actually dialled, so a name that resolves to a private address (or re-resolves to one, DNS
// rebinding) is refused; no redirect is followed; every request times out.
package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"canopy/domain/webhook"
)

// ErrBlocked is the error of a dial to an address webhooks may not reach.
var ErrBlocked = errors.New("the address is private, loopback or link-local, which webhooks may not reach")

// Options tune the client.
type Options struct {
	// Timeout bounds a request, from dialling to the end of the answer's body.
	Timeout time.Duration
	// AllowPrivate lets requests reach private, loopback and link-local addresses (development).
	AllowPrivate bool
}

// Client posts webhook deliveries. It implements the webhooks service's Poster.
type Client struct {
	http *http.Client
}

// Control refuses a connection to a blocked address. net.Dialer calls it with the resolved
// address of each connection it is about to make, after DNS, which is what makes the check hold
// against names that resolve (or re-resolve) to private addresses.
func Control(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrBlocked, address)
		}
		if webhook.Blocked(ap.Addr()) {
			return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
		}
		return nil
	}
}

// New returns a client.
func New(o Options) *Client {
	dialer := &net.Dialer{Timeout: min(o.Timeout, 10*time.Second), Control: Control(o.AllowPrivate)}
	transport := &http.Transport{
		// No proxy from the environment: the check must apply to the receiver's address.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   min(o.Timeout, 10*time.Second),
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{http: &http.Client{
		Transport: transport,
		Timeout:   o.Timeout,
		// A redirect is the receiver's answer, not somewhere to go: following it would let a
		// public URL send the server to a private one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Post sends body to url with the headers and returns the answer's status. The error says what
// went wrong without the request's headers (the signature) or body.
func (c *Client) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("the URL cannot be requested")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	defer resp.Body.Close()
	// Read a little of the answer so that the connection can be reused; the rest is not ours.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// describe turns a transport error into words fit for the delivery history.
func describe(err error) error {
	switch {
	case errors.Is(err, ErrBlocked):
		return ErrBlocked
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("the receiver did not answer in time")
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("the receiver's name does not resolve: %s", dnsErr.Name)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("cannot connect to the receiver: %s", opErr.Op)
	}
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return errors.New("the receiver did not answer in time")
	}
	return errors.New("the request to the receiver failed")
}
