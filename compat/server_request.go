package compat

// Destroy is Node's message.destroy(err). On a server's request not read
// to the end ('end' not emitted), it emits 'aborted' and closes the
// connection at once, dropping what the response wrote in the same
// callback, as Node's; then come 'error' with err (none for nil), the
// request's 'close', the socket's 'close' and, if the response had not
// finished, its 'close'. A
// request read to the end emits only 'error' and 'close', and its response
// goes on. Node emits 'aborted' inside the call: so does Destroy when
// called on the loop (from a listener), else on the loop soon after.
// Once the response has ended, the connection is closed only by a Destroy
// in the callback that ended it (see ServerResponse.Destroy). On a
// client's response, see ClientRequest.destroyResponse.
func (m *IncomingMessage) Destroy(err error) {
	if m.creq != nil {
		m.creq.destroyResponse(m, err)
		return
	}
	x, res := m.x, m.res
	x.mu.Lock()
	e := m.moreLocked()
	if e.destroyed || m.aborting || m.closed {
		x.mu.Unlock()
		return
	}
	e.destroyed = true
	unread := !m.ended || !m.bodyDone
	inLoop := x.window
	aborted := e.onAborted
	x.mu.Unlock()
	if unread && inLoop {
		emit0(aborted)
	}
	x.do(func() {
		if unread && !inLoop {
			x.tickLocked(eventFunc(func() {
				x.mu.Lock()
				fns := m.more.onAborted
				x.mu.Unlock()
				emit0(fns)
			}))
		}
		finished, cut := true, false
		switch {
		case !unread || m.aborting:
		case !x.wireEnded && res.w != nil:
			res.abortWireLocked()
			_, finished = m.abortLocked()
			m.more.pending = nil
			cut = true
		case x.cork == corkEnded && !res.finishEmitted:
			res.w.CloseAfterEnd()
		}
		if err != nil {
			m.tickErrorLocked(err)
		}
		x.tickLocked((*closeEvent)(m))
		if cut {
			x.tickLocked(eventFunc(m.Socket.connClosed))
		}
		if !finished {
			res.tickCloseLocked()
		}
	})
}
