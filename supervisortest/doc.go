// Package supervisortest helps test programs that embed the supervisor:
// a Clock that stands still until the test moves it, so that restart
// policies, start and stop timeouts and the reactions to their events are
// tested with real child processes but without sleeping.
//
// It does not import the supervisor package (its Clock satisfies
// supervisor.Clock by shape), so the supervisor's own tests use it too.
package supervisortest
