// Package sys holds the platform calls the supervisor needs on Linux:
// starting children in their own process groups from dedicated OS threads
// that serve a queue of spawns, waiting for each child's exit through a pidfd
// in Go's netpoller (no OS thread blocked per child), and signalling a child
// or its process group.
//
// It is internal: its API follows what the root package needs, not what a
// general process library would offer.
package sys
