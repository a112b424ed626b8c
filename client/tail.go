package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// Stream names one of a process's two logs.
type Stream string

// The two logs of a process.
const (
	Stdout Stream = "stdout"
	Stderr Stream = "stderr"
)

// OpenTail opens the server's live tail of a process log, "name" or
// "group:name" (GET /logtail/name/stream): the last kilobyte of the log, then
// whatever is written to it, for as long as the connection lasts. The server
// never ends the stream on its own; close the reader or cancel ctx to stop.
// A process without that log, or an unknown name, is an *HTTPError with
// StatusCode 404.
func (c *Client) OpenTail(ctx context.Context, name string, s Stream) (io.ReadCloser, error) {
	if s == "" {
		s = Stdout
	}
	return c.openStream(ctx, "/logtail/"+url.PathEscape(name)+"/"+url.PathEscape(string(s)))
}

// OpenMainTail is OpenTail for supervisord's main log (GET /mainlogtail).
func (c *Client) OpenMainTail(ctx context.Context) (io.ReadCloser, error) {
	return c.openStream(ctx, "/mainlogtail")
}

// Tail copies a process log to w as it is written, as supervisorctl tail -f
// does, until ctx is done or the server closes the stream. It returns
// ctx.Err() in the first case and nil in the second; each piece received is
// written to w at once.
func (c *Client) Tail(ctx context.Context, w io.Writer, name string, s Stream) error {
	r, err := c.OpenTail(ctx, name, s)
	if err != nil {
		return err
	}
	return follow(ctx, w, r)
}

// TailMain is Tail for supervisord's main log.
func (c *Client) TailMain(ctx context.Context, w io.Writer) error {
	r, err := c.OpenMainTail(ctx)
	if err != nil {
		return err
	}
	return follow(ctx, w, r)
}

func (c *Client) openStream(ctx context.Context, path string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	if c.auth {
		req.SetBasicAuth(c.username, c.password)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.netError(path, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, URL: c.serverURL + path}
	}
	return resp.Body, nil
}

func follow(ctx context.Context, w io.Writer, r io.ReadCloser) error {
	defer r.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
