package supervisor

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
)

// processSpec is one process of a program, with every per-process template
// expanded. The embedded ProgramSpec is shared by the program's processes and
// must not be modified.
type processSpec struct {
	*ProgramSpec
	name      string // expanded process name
	group     string
	num       int
	command   string
	directory string
	env       map[string]string // the program's Environment, expanded
	stdout    LogSpec
	stderr    LogSpec
}

// namespec returns "group:name", or "name" when both are the same.
func makeNamespec(group, name string) string {
	if group == name {
		return name
	}
	return group + ":" + name
}

// groupName returns the name of the group the program belongs to.
func (s *ProgramSpec) groupName() string {
	if s.Group != "" {
		return s.Group
	}
	return s.Name
}

// numProcs returns NumProcs with its zero default applied.
func (s *ProgramSpec) numProcs() int {
	if s.NumProcs == 0 {
		return 1
	}
	return s.NumProcs
}

func (s *ProgramSpec) stopSignal() syscall.Signal {
	if s.StopSignal == 0 {
		return syscall.SIGTERM
	}
	return s.StopSignal
}

func (s *ProgramSpec) killAsGroup() bool { return s.KillAsGroup || s.StopAsGroup }

func (s *ProgramSpec) restartPolicy() RestartPolicy {
	if s.Restart == nil {
		return LinearBackoff{}
	}
	return s.Restart
}

// checkName applies supervisord's rule for program, group and process names.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: empty name", ErrBadSpec)
	}
	if i := strings.IndexAny(name, " :/"); i >= 0 {
		return fmt.Errorf("%w: Invalid name: %s because of character: %s",
			ErrBadSpec, pyRepr(name), pyRepr(name[i:i+1]))
	}
	return nil
}

// Validate checks the spec the way supervisord checks a [program:x] section
// and expands every per-process template, so that a spec that validates can
// be started. Errors wrap ErrBadSpec or are *ExpandError.
func (s *ProgramSpec) Validate() error {
	_, err := s.processes(hostNodeName())
	return err
}

// processes expands the spec into its processes.
func (s *ProgramSpec) processes(host string) ([]processSpec, error) {
	if err := checkName(s.Name); err != nil {
		return nil, err
	}
	if s.Group != "" {
		if err := checkName(s.Group); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(s.Command) == "" {
		return nil, fmt.Errorf("%w: program section program:%s does not specify a command", ErrBadSpec, s.Name)
	}
	n := s.numProcs()
	if n < 0 {
		return nil, fmt.Errorf("%w: numprocs must be at least 1, not %d", ErrBadSpec, n)
	}
	tmpl := s.ProcessName
	if tmpl == "" {
		tmpl = DefaultProcessName
	}
	if n > 1 && !strings.Contains(tmpl, "%(process_num)") {
		return nil, fmt.Errorf("%w: %%(process_num) must be present within process_name when numprocs > 1", ErrBadSpec)
	}
	for _, c := range s.ExitCodes {
		if c < 0 || c > 255 {
			return nil, fmt.Errorf("%w: exit code %d out of range 0..255", ErrBadSpec, c)
		}
	}

	base := map[string]any{
		"program_name":   s.Name,
		"group_name":     s.groupName(),
		"host_node_name": host,
		"numprocs":       n,
	}
	for k, v := range s.Vars {
		base[k] = v
	}
	procs := make([]processSpec, 0, n)
	seen := map[string]bool{}
	for i := range n {
		num := s.NumProcsStart + i
		vars := maps.Clone(base)
		vars["process_num"] = num
		// The environment sees the names above; every other per-process
		// template also sees ENV_X for the program's own environment keys.
		env := make(map[string]string, len(s.Environment))
		for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
			v, err := ExpandIn(s.Environment[k], "environment", vars)
			if err != nil {
				return nil, err
			}
			env[k] = v
		}
		for k, v := range env {
			vars["ENV_"+k] = v
		}
		p := processSpec{ProgramSpec: s, group: s.groupName(), num: num, env: env,
			stdout: s.Stdout, stderr: s.Stderr}
		var err error
		if p.name, err = ExpandIn(tmpl, "process_name", vars); err != nil {
			return nil, err
		}
		if err := checkName(p.name); err != nil {
			return nil, err
		}
		if seen[p.name] {
			return nil, fmt.Errorf("%w: process name %q repeats in program %q", ErrBadSpec, p.name, s.Name)
		}
		seen[p.name] = true
		if p.command, err = ExpandIn(s.Command, "command", vars); err != nil {
			return nil, err
		}
		if p.directory, err = ExpandIn(s.Directory, "directory", vars); err != nil {
			return nil, err
		}
		for _, l := range []struct {
			spec  *LogSpec
			where string
		}{{&p.stdout, "stdout_logfile"}, {&p.stderr, "stderr_logfile"}} {
			if l.spec.File == "" || strings.EqualFold(l.spec.File, AutoLog) {
				continue
			}
			if l.spec.File, err = ExpandIn(l.spec.File, l.where, vars); err != nil {
				return nil, err
			}
		}
		if s.RedirectStderr {
			p.stderr = LogSpec{}
		}
		procs = append(procs, p)
	}
	return procs, nil
}

// hostNodeName is supervisord's host_node_name: the kernel's node name.
func hostNodeName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

// specsEqual reports whether two specs would produce identical processes,
// which decides whether Apply restarts a group.
func specsEqual(a, b *ProgramSpec) bool {
	return reflect.DeepEqual(a, b)
}
