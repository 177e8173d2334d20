package main

import (
	"io"
	"net/http"
	"strings"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/nethttp"
)

// runBridge is the nethttp client (an http.Client on http.Transport) with
// the bridge's Transport instead: the same calling code on zerohttp's pool.
func runBridge(j *job) error {
	a, err := agentpool.NewKeepAliveAgent(&agentpool.Options{MaxSockets: j.conns})
	if err != nil {
		return err
	}
	defer a.Destroy()
	j.driveHTTPClient(&http.Client{Transport: &nethttp.Transport{Agent: a}})
	return nil
}

// driveHTTPClient runs j.conns loops of j's request through c.
func (j *job) driveHTTPClient(c *http.Client) {
	url, fields := j.url(), j.fields()
	step := func() bool {
		var body io.Reader
		if j.req.Body != "" {
			body = strings.NewReader(j.req.Body)
		}
		req, err := http.NewRequest(j.req.Method, url, body)
		if err != nil {
			j.fail(err.Error())
			return false
		}
		for _, f := range fields {
			if http.CanonicalHeaderKey(f[0]) == "Host" {
				req.Host = f[1]
			} else {
				req.Header.Add(f[0], f[1])
			}
		}
		resp, err := c.Do(req)
		if err != nil {
			j.fail(err.Error())
			return false
		}
		var got []byte
		if j.req.CheckBody {
			got, err = io.ReadAll(resp.Body)
		} else {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		resp.Body.Close()
		if err != nil {
			j.fail(err.Error())
			return false
		}
		return j.check(resp.StatusCode, got)
	}
	steps := make([]func() bool, j.conns)
	for i := range steps {
		steps[i] = step
	}
	j.drive(steps)
}
