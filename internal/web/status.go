package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// processJSON is one process as /api/processes and the event stream report
// it: the fields of supervisord's getProcessInfo, plus what the page needs
// to draw the row, so that the server alone decides what a state offers.
type processJSON struct {
	Name          string   `json:"name"`
	Group         string   `json:"group"`
	Namespec      string   `json:"namespec"`
	Description   string   `json:"description"`
	Start         int64    `json:"start"`
	Stop          int64    `json:"stop"`
	Now           int64    `json:"now"`
	State         int      `json:"state"`
	StateName     string   `json:"statename"`
	SpawnErr      string   `json:"spawnerr"`
	ExitStatus    int      `json:"exitstatus"`
	Logfile       string   `json:"logfile"`
	StdoutLogfile string   `json:"stdout_logfile"`
	StderrLogfile string   `json:"stderr_logfile"`
	Pid           int      `json:"pid"`
	StatusClass   string   `json:"status_class"` // supervisord's CSS class for the state
	Actions       []string `json:"actions"`      // the actions the state allows, in button order
	TailURL       string   `json:"tail_url"`     // the tail page, relative to the status page
}

// snapshotJSON is the whole status at one moment.
type snapshotJSON struct {
	Version        string        `json:"version"`
	Identification string        `json:"identification"`
	State          string        `json:"state"` // the daemon's: RUNNING, SHUTDOWN...
	Now            int64         `json:"now"`
	Processes      []processJSON `json:"processes"`
}

func epoch(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// statusClass is the class supervisord's page gives the state's label.
func statusClass(s supervisor.State) string {
	switch s {
	case supervisor.Running:
		return "statusrunning"
	case supervisor.Backoff, supervisor.Fatal:
		return "statuserror"
	}
	return "statusnominal"
}

// actionsFor lists the buttons a process in state s gets. supervisord
// offers stop and restart only when RUNNING; a process STARTING or in
// BACKOFF can be stopped too (as supervisorctl can), which its page forgets.
func actionsFor(s supervisor.State) []string {
	switch s {
	case supervisor.Running:
		return []string{"restart", "stop", "clearlog"}
	case supervisor.Starting, supervisor.Backoff:
		return []string{"stop", "clearlog"}
	case supervisor.Stopped, supervisor.Exited, supervisor.Fatal:
		return []string{"start", "clearlog"}
	}
	return []string{"clearlog"}
}

func tailURL(namespec string) string {
	return "tail.html?processname=" + pyQuote(namespec)
}

func (h *handler) snapshot() snapshotJSON {
	infos := allInfo(h.b.Supervisor())
	snap := snapshotJSON{
		Version:        Version,
		Identification: h.b.Identifier(),
		State:          h.b.State().String(),
		Now:            time.Now().Unix(),
		Processes:      make([]processJSON, 0, len(infos)),
	}
	for _, i := range infos {
		ns := namespec(i.Group, i.Name)
		snap.Processes = append(snap.Processes, processJSON{
			Name: i.Name, Group: i.Group, Namespec: ns,
			Description: i.Description(),
			Start:       epoch(i.Start), Stop: epoch(i.Stop), Now: epoch(i.Now),
			State: int(i.State), StateName: i.State.String(),
			SpawnErr: i.SpawnErr, ExitStatus: i.ExitStatus,
			Logfile: i.StdoutLogfile, StdoutLogfile: i.StdoutLogfile, StderrLogfile: i.StderrLogfile,
			Pid:         i.Pid,
			StatusClass: statusClass(i.State),
			Actions:     actionsFor(i.State),
			TailURL:     tailURL(ns),
		})
	}
	return snap
}

func (h *handler) serveProcesses(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, h.snapshot())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// wantsJSON reports whether the client asked for a JSON answer.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") ||
		strings.HasPrefix(r.URL.Path, "/api/")
}

// Views for the templates.
type (
	indexView struct {
		Message      string
		MessageError bool
		Snapshot     snapshotJSON
		Running      bool // the daemon accepts actions
		Groups       []groupView
		Counts       []countView
	}
	groupView struct {
		Name      string
		Header    bool // a real group (several processes, or named apart from its process)
		Processes []rowView
	}
	rowView struct {
		processJSON
		StateLower string
		Shade      bool
		Buttons    []buttonView
	}
	buttonView struct{ Action, Label string }
	countView  struct {
		State string
		N     int
	}
)

var buttonLabels = map[string]string{
	"start": "Start", "stop": "Stop", "restart": "Restart", "clearlog": "Clear log",
}

func (h *handler) indexView(message string) indexView {
	snap := h.snapshot()
	v := indexView{
		Message:      message,
		MessageError: isErrorMessage(message),
		Snapshot:     snap,
		Running:      snap.State == rpcapi.StateRunning.String(),
	}
	counts := map[string]int{}
	for n, p := range snap.Processes {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Name != p.Group {
			v.Groups = append(v.Groups, groupView{Name: p.Group})
		}
		g := &v.Groups[len(v.Groups)-1]
		row := rowView{processJSON: p, StateLower: strings.ToLower(p.StateName), Shade: n%2 == 1}
		for _, a := range p.Actions {
			row.Buttons = append(row.Buttons, buttonView{a, buttonLabels[a]})
		}
		g.Processes = append(g.Processes, row)
		g.Header = len(g.Processes) > 1 || p.Name != p.Group
		counts[p.StateName]++
	}
	for _, s := range stateOrder {
		if counts[s] > 0 {
			v.Counts = append(v.Counts, countView{s, counts[s]})
		}
	}
	return v
}

// stateOrder is the order of the state counts above the table: trouble first.
var stateOrder = []string{"FATAL", "BACKOFF", "UNKNOWN", "EXITED", "STOPPING", "STARTING", "RUNNING", "STOPPED"}

// serveIndex is supervisord's index.html: the status page, and the actions
// of its buttons (GET for supervisord's links, POST for forms).
func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if err := parseForm(w, r); err != nil {
		http.Error(w, "400 "+err.Error(), http.StatusBadRequest)
		return
	}
	req := actionFromForm(r)
	if req.Action != "" && r.Method != http.MethodHead {
		h.legacyAction(w, r, req)
		return
	}
	var buf bytes.Buffer
	if err := h.index.Execute(&buf, h.indexView(r.Form.Get("message"))); err != nil {
		http.Error(w, "500 "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeHTML(w, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	noCache(w)
	_, _ = w.Write(body)
}

// legacyAction performs an action asked for by supervisord's URLs or by a
// form posted to index.html, then redirects to the status page with the
// message, as supervisord does.
func (h *handler) legacyAction(w http.ResponseWriter, r *http.Request, req actionRequest) {
	if req.Action != "refresh" {
		if r.Method == http.MethodPost {
			if err := h.csrf.Check(r); err != nil {
				h.deny(w, r)
				return
			}
		} else {
			if !h.cfg.legacyGET {
				w.Header().Set("Allow", "POST")
				http.Error(w, "405 actions by GET are disabled: POST the form instead", http.StatusMethodNotAllowed)
				return
			}
			if !h.sameOriginNavigation(r) {
				h.deny(w, r)
				return
			}
		}
	}
	out, err := h.perform(r.Context(), req)
	if err != nil {
		// The client asked for something that does not exist: supervisord
		// answers 500, but the fault is the request's.
		http.Error(w, "400 Bad Request: unknown action "+req.Action, http.StatusBadRequest)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	loc := "/?message=" + pyQuote(out.Message)
	if r.Host != "" {
		loc = scheme + "://" + r.Host + loc
	}
	hd := w.Header()
	hd.Set("Location", loc)
	// A 301 is cacheable: without this a browser could answer the next
	// click on the same action link from its cache, doing nothing.
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusMovedPermanently)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(`<!doctype html><title>Moved</title><a href="` + html.EscapeString(loc) + `">Continue</a>` + "\n"))
	}
}

// sameOriginNavigation reports whether a GET that performs an action comes
// from this server's own pages, a bookmark, a typed URL or a non-browser
// client, rather than from another site: supervisord's action links change
// state on GET, which another site could otherwise trigger with an image or
// a link, reusing the browser's saved credentials.
func (h *handler) sameOriginNavigation(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "none", "same-origin":
	default:
		return false
	}
	if ref := r.Header.Get("Referer"); ref != "" && r.Header.Get("Sec-Fetch-Site") == "" {
		u, err := url.Parse(ref)
		if err == nil && u.Host != "" && u.Host != r.Host {
			return false
		}
	}
	return true
}

// actionReply is the answer of /api/action.
type actionReply struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// serveAction performs an action posted by the page's script (or any
// client) and answers with JSON: 200 when done, 404 for an unknown process
// or group, 409 when the action was refused or failed, 503 while shutting
// down, 400 for an unknown action, 403 for a cross-origin browser request.
func (h *handler) serveAction(w http.ResponseWriter, r *http.Request) {
	if err := h.csrf.Check(r); err != nil {
		h.deny(w, r)
		return
	}
	if err := parseForm(w, r); err != nil {
		writeJSON(w, http.StatusBadRequest, actionReply{Message: err.Error()})
		return
	}
	req := actionFromForm(r)
	out, err := h.perform(r.Context(), req)
	if errors.Is(err, errUnknownAction) {
		msg := "unknown action " + strings.TrimSpace(req.Action)
		if req.Action == "" {
			msg = "no action given"
		} else if req.Process == "" && req.Group == "" && buttonLabels[req.Action] != "" {
			msg = "action " + req.Action + " needs a processname"
		}
		writeJSON(w, http.StatusBadRequest, actionReply{Message: msg})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, actionStatus(out), actionReply{OK: out.Err == nil, Message: out.Detail})
}

// allInfo returns a snapshot of every process, sorted by group name then
// process name, as supervisord's page lists them.
func allInfo(sup *supervisor.Supervisor) []supervisor.ProcessInfo {
	procs := sup.Processes()
	out := make([]supervisor.ProcessInfo, len(procs))
	for i, p := range procs {
		out[i] = p.Info()
	}
	slices.SortFunc(out, func(a, b supervisor.ProcessInfo) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Name, b.Name))
	})
	return out
}

// namespec is supervisord's name of a process: "group:name", or "name"
// when both are the same.
func namespec(group, name string) string {
	if group == name {
		return name
	}
	return group + ":" + name
}
