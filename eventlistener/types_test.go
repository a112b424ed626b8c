package eventlistener

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatches(t *testing.T) {
	for _, typ := range Types() {
		require.NoError(t, CheckType(typ))
	}
	assert.EqualError(t, CheckType("PROCESS_STATE_BOGUS"), "bad arguments: Unknown event type PROCESS_STATE_BOGUS")
	assert.True(t, Matches("EVENT", "TICK_5"))
	assert.True(t, Matches("PROCESS_STATE", "PROCESS_STATE_FATAL"))
	assert.True(t, Matches("PROCESS_STATE_FATAL", "PROCESS_STATE_FATAL"))
	assert.False(t, Matches("PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING"))
	assert.False(t, Matches("PROCESS_STATE", "PROCESS_LOG_STDOUT"))
	assert.True(t, Matches("TICK", "TICK_3600"))
	assert.True(t, Matches("PROCESS_LOG", "PROCESS_LOG_STDERR"))
	assert.True(t, Matches("PROCESS_GROUP", "PROCESS_GROUP_REMOVED"))
	assert.True(t, Matches("SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_STOPPING"))
	assert.False(t, Matches("REMOTE_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT"))
	assert.True(t, Matches("PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT"))
}
