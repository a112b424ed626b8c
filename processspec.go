package supervisor

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"

	"github.com/supervise-go/supervisor/internal/pyfmt"
	"github.com/supervise-go/supervisor/restart"
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

func (s *ProgramSpec) restartPolicy() restart.Policy {
	if s.Restart == nil {
		return restart.Linear{}
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

// processes expands the spec into its processes, after checking every
// field; the error joins one error per bad field (see Validate).
func (s *ProgramSpec) processes(host string) ([]processSpec, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBadSpec}, args...)...))
	}
	if err := checkName(s.Name); err != nil {
		errs = append(errs, fmt.Errorf("name: %w", err))
	}
	if s.Group != "" {
		if err := checkName(s.Group); err != nil {
			errs = append(errs, fmt.Errorf("group: %w", err))
		}
	}
	if strings.TrimSpace(s.Command) == "" {
		bad("program section program:%s does not specify a command", s.Name)
	}
	n := s.numProcs()
	if n < 0 {
		bad("numprocs must be at least 1, not %d", n)
	}
	if s.NumProcsStart < 0 {
		bad("numprocs_start must be at least 0, not %d", s.NumProcsStart)
	}
	tmpl := cmp.Or(s.ProcessName, defaultProcessName)
	if n > 1 && !strings.Contains(tmpl, "%(process_num)") {
		bad("%%(process_num) must be present within process_name when numprocs > 1")
	}
	for _, c := range s.ExitCodes {
		if c < 0 || c > 255 {
			bad("exit code %d out of range 0..255", c)
		}
	}
	if s.StopSignal < 0 || s.StopSignal > 64 {
		bad("stop signal %d out of range", int(s.StopSignal))
	}
	if s.AutoRestart < RestartUnexpected || s.AutoRestart > RestartNever {
		bad("autorestart %d is not one of RestartUnexpected, RestartAlways, RestartNever", int(s.AutoRestart))
	}
	if v, ok := s.Restart.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", ErrBadSpec, err))
		}
	}
	for _, l := range []struct {
		spec *LogSpec
		name string
	}{{&s.Stdout, "stdout"}, {&s.Stderr, "stderr"}} {
		if l.spec.MaxBytes < 0 || l.spec.Backups < 0 || l.spec.CaptureMaxBytes < 0 || l.spec.MaxAge < 0 {
			bad("%s log: MaxBytes, Backups, CaptureMaxBytes and MaxAge must not be negative", l.name)
		}
	}
	errs = append(errs, s.validateDependencies()...)
	errs = append(errs, s.validateReady()...)
	errs = append(errs, s.validateHealth()...)
	errs = append(errs, s.validateRlimits()...)
	if len(errs) > 0 || n < 0 {
		return nil, errors.Join(errs...)
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
			v, err := pyfmt.ExpandIn(s.Environment[k], "environment", vars)
			if err != nil {
				errs = append(errs, fmt.Errorf("%w: %w", ErrBadSpec, err))
				continue
			}
			env[k] = v
		}
		for k, v := range env {
			vars["ENV_"+k] = v
		}
		p := processSpec{ProgramSpec: s, group: s.groupName(), num: num, env: env,
			stdout: s.Stdout, stderr: s.Stderr}
		expand := func(dst *string, tmpl, where string) {
			v, err := pyfmt.ExpandIn(tmpl, where, vars)
			if err != nil {
				errs = append(errs, fmt.Errorf("%w: %w", ErrBadSpec, err))
				return
			}
			*dst = v
		}
		expand(&p.name, tmpl, "process_name")
		if p.name != "" {
			if err := checkName(p.name); err != nil {
				errs = append(errs, fmt.Errorf("process_name: %w", err))
			} else if seen[p.name] {
				bad("process name %q repeats in program %q", p.name, s.Name)
			}
			seen[p.name] = true
		}
		expand(&p.command, s.Command, "command")
		expand(&p.directory, s.Directory, "directory")
		for _, l := range []struct {
			spec  *LogSpec
			where string
		}{{&p.stdout, "stdout_logfile"}, {&p.stderr, "stderr_logfile"}} {
			if l.spec.File == "" || strings.EqualFold(l.spec.File, AutoLog) {
				continue
			}
			expand(&l.spec.File, l.spec.File, l.where)
		}
		if s.RedirectStderr {
			p.stderr = LogSpec{}
		}
		if len(errs) > 0 {
			// Every process expands the same templates: the first one's
			// errors say all there is to say.
			return nil, errors.Join(errs...)
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
