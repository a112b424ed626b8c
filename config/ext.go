package config

import "github.com/supervise-go/supervisor"

func (l *loader) extensions(sec string, spec *supervisor.ProgramSpec) error { return nil }
