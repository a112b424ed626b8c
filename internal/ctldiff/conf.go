package ctldiff

import (
	"fmt"
	"strings"
)

// override is what Isolate sets in one section: keys and their values, in
// the order they are written.
type override struct {
	section string
	keys    [][2]string
}

// Isolate rewrites a supervisord.conf so that a daemon started on it keeps
// everything it writes in dir and serves supervisorctl on 127.0.0.1:port
// alone: [supervisord]'s logfile, pidfile and childlogdir point into dir;
// [inet_http_server] listens on the port, [supervisorctl]'s serverurl names
// it and [rpcinterface:supervisor] gives the main API (each section is added
// when missing); [unix_http_server] is dropped, since a socket path would be
// shared by two daemons. Every other line, comments included, is kept as it
// is, so the daemons parse the rest of the file as they would the original.
// {DIR} in conf stands for dir.
func Isolate(conf, dir string, port int) string {
	conf = strings.ReplaceAll(conf, "{DIR}", dir)
	overrides := []override{
		{"supervisord", [][2]string{{"logfile", dir + "/supervisord.log"}, {"pidfile", dir + "/supervisord.pid"}, {"childlogdir", dir}}},
		{"inet_http_server", [][2]string{{"port", fmt.Sprintf("127.0.0.1:%d", port)}}},
		{"supervisorctl", [][2]string{{"serverurl", fmt.Sprintf("http://127.0.0.1:%d", port)}}},
		{"rpcinterface:supervisor", [][2]string{{"supervisor.rpcinterface_factory", "supervisor.rpcinterface:make_main_rpcinterface"}}},
	}
	find := func(section string) *override {
		for i := range overrides {
			if overrides[i].section == section {
				return &overrides[i]
			}
		}
		return nil
	}
	seen := map[string]bool{}

	var out strings.Builder
	var (
		cur      *override // the section being copied, when Isolate sets keys in it
		dropping bool      // inside [unix_http_server]
		skipping bool      // inside an overridden option, its continuation lines included
	)
	for _, line := range strings.SplitAfter(conf, "\n") {
		if line == "" {
			continue
		}
		text := strings.TrimSpace(line)
		indented := text != "" && (line[0] == ' ' || line[0] == '\t')
		if name, ok := sectionHeader(line); ok {
			cur, dropping, skipping = find(name), name == "unix_http_server", false
			if dropping {
				continue
			}
			out.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n")
			}
			if cur != nil && !seen[name] {
				seen[name] = true
				for _, kv := range cur.keys {
					fmt.Fprintf(&out, "%s=%s\n", kv[0], kv[1])
				}
			}
			continue
		}
		if dropping {
			continue
		}
		if skipping && indented {
			continue // a continuation of the replaced value
		}
		skipping = false
		if cur != nil && !indented && text != "" && text[0] != ';' && text[0] != '#' {
			if key, ok := optionName(text); ok && cur.has(key) {
				skipping = true
				continue
			}
		}
		out.WriteString(line)
	}
	if out.Len() > 0 && !strings.HasSuffix(out.String(), "\n") {
		out.WriteString("\n")
	}
	for _, o := range overrides {
		if seen[o.section] {
			continue
		}
		fmt.Fprintf(&out, "[%s]\n", o.section)
		for _, kv := range o.keys {
			fmt.Fprintf(&out, "%s=%s\n", kv[0], kv[1])
		}
	}
	return out.String()
}

// has reports whether the override sets key; option names are not case
// sensitive, as in supervisord's config parser.
func (o *override) has(key string) bool {
	for _, kv := range o.keys {
		if strings.EqualFold(kv[0], key) {
			return true
		}
	}
	return false
}

// sectionHeader returns the name of the section a line opens: "[name]" at
// the start of the line, followed by nothing or a comment.
func sectionHeader(line string) (string, bool) {
	if !strings.HasPrefix(line, "[") {
		return "", false
	}
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return "", false
	}
	return line[1:end], true
}

// optionName returns the name of the option a line sets: the text before
// the first '=' or ':', trimmed.
func optionName(text string) (string, bool) {
	i := strings.IndexAny(text, "=:")
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(text[:i]), true
}
