package rpcapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// params are a call's decoded parameters. Their count has been checked
// against the method's signature; their types are checked as they are read,
// and a parameter of the wrong type is INCORRECT_PARAMETERS.
type params []any

var errIncorrect = bareFault(xmlrpc.FaultIncorrectParameters)

// str returns parameter i, which must be a string.
func (p params) str(i int) (string, error) {
	if s, ok := p[i].(string); ok {
		return s, nil
	}
	return "", errIncorrect
}

// integer returns parameter i as supervisord's int() reads it: an int, a
// boolean, a double (truncated) or a string holding a decimal integer.
func (p params) integer(i int) (int64, error) {
	switch v := p[i].(type) {
	case int:
		return int64(v), nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || v >= math.MaxInt64 || v <= math.MinInt64 {
			return 0, errIncorrect
		}
		return int64(v), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, errIncorrect
		}
		return n, nil
	}
	return 0, errIncorrect
}

// flag returns parameter i as a truth value the way Python tests one (an
// empty string or array, 0 and false are false), or def when the call left
// it out.
func (p params) flag(i int, def bool) bool {
	if i >= len(p) {
		return def
	}
	switch v := p[i].(type) {
	case bool:
		return v
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case []byte:
		return len(v) != 0
	case []any:
		return len(v) != 0
	case map[string]any:
		return len(v) != 0
	}
	return true
}

// text returns parameter i as the text supervisord would make of it with
// str(): strings as they are, base64 data decoded as UTF-8, other scalars
// in Python's spelling.
func (p params) text(i int) (string, error) {
	switch v := p[i].(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int:
		return strconv.Itoa(v), nil
	case bool:
		if v {
			return "True", nil
		}
		return "False", nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	}
	return "", errIncorrect
}

// pyStr renders a scalar parameter for a fault's text, as Python's %s would.
func pyStr(v any) string {
	if s, err := (params{v}).text(0); err == nil {
		return s
	}
	return fmt.Sprint(v)
}
