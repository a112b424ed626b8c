// Package trampoline is the child's side of starting a process with
// resource limits (package sys's Attr.Rlimits, on Linux): a copy of the
// supervisor's own executable, started with EnvVar in its environment,
// sets the limits, switches user and execs the command from this
// package's init, before main runs. Package sys starts it and reads its
// report; it imports this package so that every program that can spawn
// has the init.
//
// The package imports only syscall and runtime, so that its init comes
// early in a program's initialization (Go initializes the packages whose
// imports are ready in the order of their import paths): only those
// cheap, ready packages run before it, not the program's heavy ones.
package trampoline
