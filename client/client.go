package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// APIVersion is the version of supervisord's XML-RPC interface this package
// speaks, as returned by supervisor.getAPIVersion.
const APIVersion = "3.0"

// A Client calls the XML-RPC interface of one supervisord (or gosupervisord)
// and reads its logs over HTTP. It is safe for concurrent use; connections
// are kept alive and reused between calls.
type Client struct {
	serverURL string // as given to New
	base      string // scheme://host to which paths are appended
	username  string
	password  string
	auth      bool
	hc        *http.Client
}

// An Option changes how New sets up a Client.
type Option func(*Client)

// WithAuth makes every request carry HTTP Basic credentials, as servers with
// a username in their [inet_http_server] or [unix_http_server] section
// require. Without it no Authorization header is sent.
func WithAuth(username, password string) Option {
	return func(c *Client) {
		c.username, c.password, c.auth = username, password, true
	}
}

// WithHTTPClient makes the Client send its requests through hc instead of a
// client of its own. For a unix:// server URL, hc's Transport must dial the
// socket itself; New then uses hc as it is. hc.Timeout should be zero, or
// log tails stop when it expires: give calls a deadline through their context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// New returns a Client for the server at serverURL, which is
// "http://host:port" for an [inet_http_server] or "unix:///path/to/socket"
// for a [unix_http_server], the forms of supervisorctl's serverurl. Any path
// in an http:// URL is ignored: calls go to /RPC2, tails to /logtail/... and
// /mainlogtail. New does no I/O; see Dial for a client that checks the
// server first.
func New(serverURL string, opts ...Option) (*Client, error) {
	c := &Client{serverURL: serverURL}
	for _, o := range opts {
		o(c)
	}
	var socket string
	switch {
	case strings.HasPrefix(serverURL, "unix://"):
		socket = serverURL[len("unix://"):]
		if socket == "" {
			return nil, fmt.Errorf("client: server URL %q names no socket file", serverURL)
		}
		// A relative path would depend on the working directory at each dial.
		if abs, err := filepath.Abs(socket); err == nil {
			socket = abs
		}
		c.base = "http://localhost"
	case strings.HasPrefix(serverURL, "http://"):
		u, err := url.Parse(serverURL)
		if err != nil {
			return nil, fmt.Errorf("client: bad server URL: %w", err)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("client: server URL %q names no host", serverURL)
		}
		c.base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("client: server URL %q: want http://host:port or unix:///path", serverURL)
	}
	if c.hc == nil {
		tr := &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 2,
			// supervisord's medusa does not gzip, and a compressed log
			// tail could not be streamed as it arrives.
			DisableCompression: true,
		}
		if socket != "" {
			tr.Proxy = nil
			tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", socket)
			}
		}
		c.hc = &http.Client{Transport: tr}
	}
	return c, nil
}

// Dial is New followed by a call to supervisor.getAPIVersion, the check
// supervisorctl makes before its commands: it fails if the server cannot be
// reached, refuses the credentials (an *HTTPError matching ErrUnauthorized),
// lacks the supervisor namespace (a *Fault with FaultUnknownMethod), or
// speaks another API version (a *VersionError).
func Dial(ctx context.Context, serverURL string, opts ...Option) (*Client, error) {
	c, err := New(serverURL, opts...)
	if err != nil {
		return nil, err
	}
	v, err := c.APIVersion(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	if v != APIVersion {
		c.Close()
		return nil, &VersionError{Version: v}
	}
	return c, nil
}

// ServerURL returns the server URL the Client was made for.
func (c *Client) ServerURL() string { return c.serverURL }

// Close closes the idle connections kept for later calls. The Client stays
// usable; a later call opens a new connection.
func (c *Client) Close() {
	c.hc.CloseIdleConnections()
}

// Call calls an XML-RPC method by name and returns its decoded result: int,
// bool, string, float64, time.Time, []byte, []any or map[string]any. It is
// the way to reach methods this package has no typed wrapper for, such as
// those of an [rpcinterface:x] plugin. Params may be any of those types, Go
// integers, slices, string-keyed maps and structs. A fault comes back as a
// *Fault; a status other than 200 as an *HTTPError.
func (c *Client) Call(ctx context.Context, method string, params ...any) (any, error) {
	var body bytes.Buffer
	if err := xmlrpc.EncodeRequest(&body, method, params...); err != nil {
		return nil, fmt.Errorf("client: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/RPC2", &body)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("Accept", "text/xml")
	req.Header.Set("User-Agent", userAgent)
	if c.auth {
		req.SetBasicAuth(c.username, c.password)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.netError(method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, URL: c.serverURL + "/RPC2"}
	}
	v, err := xmlrpc.ParseResponse(resp.Body)
	if err != nil {
		var xf *xmlrpc.Fault
		if errors.As(err, &xf) {
			return nil, fromXMLRPC(err)
		}
		return nil, fmt.Errorf("client: %s: reading the answer: %w", method, err)
	}
	return v, nil
}

const userAgent = "supervise-go client"

// netError strips http.Client's wrapping, whose URL is a made-up
// http://localhost for unix sockets, and names the real server instead.
// errors.Is still sees the syscall error (ECONNREFUSED, ENOENT...).
func (c *Client) netError(method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &NetError{Method: method, ServerURL: c.serverURL, Err: err}
}

// A NetError is a failure to reach the server or to complete an exchange
// with it: connection refused, no such socket file, a timeout, a closed
// connection. Err holds the cause; errors.Is(err, syscall.ECONNREFUSED) and
// errors.Is(err, context.DeadlineExceeded) see through it.
type NetError struct {
	Method    string // the XML-RPC method, or the HTTP path of a tail
	ServerURL string
	Err       error
}

func (e *NetError) Error() string {
	return "client: " + e.Method + " on " + e.ServerURL + ": " + e.Err.Error()
}

func (e *NetError) Unwrap() error { return e.Err }
