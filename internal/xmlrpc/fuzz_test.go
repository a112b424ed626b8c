package xmlrpc

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseRequest checks that no input makes the parsers panic, hang or
// fail other than with ErrMalformed, and that whatever ParseRequest accepts
// re-encodes to a request that parses to the same thing. The seed corpus is
// in testdata/fuzz/FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseResponse(bytes.NewReader(data)); err != nil {
			var fault *Fault
			if !errors.Is(err, ErrMalformed) && !errors.As(err, &fault) {
				t.Fatalf("ParseResponse: error neither malformed nor a fault: %v", err)
			}
		}

		method, params, err := ParseRequest(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseRequest: error does not match ErrMalformed: %v", err)
			}
			return
		}
		if method == "" || params == nil {
			t.Fatalf("ParseRequest accepted method %q with params %v", method, params)
		}
		var first bytes.Buffer
		if err := EncodeRequest(&first, method, params...); err != nil {
			if !errors.Is(err, ErrUnencodable) {
				t.Fatalf("EncodeRequest: %v", err)
			}
			return // an integer beyond 32 bits, which the decoder accepts
		}
		method2, params2, err := ParseRequest(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("re-encoded request does not parse: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := EncodeRequest(&second, method2, params2...); err != nil {
			t.Fatalf("EncodeRequest of the re-parsed request: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("encoding is not stable:\n%s\nthen\n%s", first.Bytes(), second.Bytes())
		}
	})
}
