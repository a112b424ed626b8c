// Command echo_supervisord_conf prints an annotated sample supervisord.conf
// that documents every key with its default, like supervisord's command of
// the same name.
//
//	go run ./examples/echo_supervisord_conf > supervisord.conf
package main

import (
	"fmt"

	"github.com/supervise-go/supervisor/config"
)

func main() {
	fmt.Print(config.Sample())
}
