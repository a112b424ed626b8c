package config

import (
	"os"
	"os/user"
	"strconv"
)

func currentUID() int { return os.Getuid() }

// primaryGID is the group of the user with this uid, or -1.
func primaryGID(uid int) int {
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return -1
	}
	g, err := strconv.Atoi(u.Gid)
	if err != nil {
		return -1
	}
	return g
}
