package supervisor

// ProcessConfig is one process of a program with every template expanded,
// as the supervisor would run it: what supervisord reports for it in
// getAllConfigInfo.
type ProcessConfig struct {
	Name        string // process name
	Group       string
	Num         int // process_num
	Command     string
	Directory   string
	Environment map[string]string // the program's Environment, expanded
	Stdout      LogSpec
	Stderr      LogSpec // empty with RedirectStderr
}

// Processes expands the spec into its processes without adding it, for
// tools that show a configuration. It fails like Validate.
func (s *ProgramSpec) Processes() ([]ProcessConfig, error) {
	procs, err := s.processes(hostNodeName())
	if err != nil {
		return nil, err
	}
	out := make([]ProcessConfig, len(procs))
	for i, p := range procs {
		out[i] = ProcessConfig{Name: p.name, Group: p.group, Num: p.num, Command: p.command,
			Directory: p.directory, Environment: p.env, Stdout: p.stdout, Stderr: p.stderr}
	}
	return out, nil
}

// groupPriority returns the priority of the program's group: GroupPriority
// for an explicit group, Priority for the program's own.
func (s *ProgramSpec) groupPriority() int {
	if s.Group != "" {
		return s.GroupPriority
	}
	return s.Priority
}
