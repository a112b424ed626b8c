package config

import _ "embed"

//go:embed sample.conf
var sample string

// Sample returns an annotated configuration that documents every key with
// its default, the equivalent of supervisord's echo_supervisord_conf. It
// loads cleanly (with Load, and with Python's supervisord).
func Sample() string { return sample }
