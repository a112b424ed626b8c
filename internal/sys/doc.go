// Package sys holds the platform calls the supervisor needs on Linux:
// starting a child in its own process group from a dedicated OS thread,
// waiting for its exit through a pidfd in Go's netpoller (no OS thread blocked
// per child), and signalling the child or its process group.
//
// It is internal: its API follows what the root package needs, not what a
// general process library would offer.
package sys
