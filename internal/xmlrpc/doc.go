// Package xmlrpc reads and writes the XML-RPC messages that supervisord's
// /RPC2 endpoint exchanges with supervisorctl. The daemon uses it to parse
// calls and answer them; the Go client uses it to make calls and read the
// answers.
//
// # Values
//
// Decoded values are plain Go values held in an any:
//
//	<int>, <i4>             int
//	<boolean>               bool
//	<string>, untyped text  string (<value/> is "")
//	<double>                float64
//	<dateTime.iso8601>      time.Time in UTC (the wire format has no zone)
//	<base64>                []byte
//	<array>                 []any
//	<struct>                map[string]any
//
// The encoder accepts those types and, for convenience, every other integer
// type, float32, slices and arrays of any encodable type, maps with string
// keys, Go structs and pointers to them, and Fault. Integers must fit in 32
// bits, the range of XML-RPC's <int> (Python's encoder refuses others, and
// supervisord caps its timestamps to fit); nil has no XML-RPC form and is
// refused. The encoder never writes the <nil/> or <i8> extensions, and the
// decoder does not accept them.
//
// The bytes written are exactly those of Python's xmlrpc.client.dumps for the
// same value, so responses look like the ones Python's supervisord sends.
// Python's dicts keep insertion order while Go maps do not: a map is written
// with its keys sorted, and a Go struct in field order, so a server that wants
// supervisord's member order byte for byte declares a struct. Two deliberate
// differences keep every message parseable: a carriage return is written as
// &#13; (Python writes it raw and the parser turns it into a newline), and
// characters XML 1.0 forbids, such as ESC or NUL, and invalid UTF-8 become
// U+FFFD (Python writes them raw, producing a document no parser accepts).
//
// # Untrusted input
//
// The parsers face the network. They refuse documents with a DOCTYPE (so no
// entity declarations are ever seen), values nested deeper than [MaxDepth],
// more than [MaxValues] values, unknown element names, and anything that is
// not well-formed. All such errors match [ErrMalformed] with errors.Is, which
// an HTTP server answers with 400. The size of the body is the caller's to
// bound, for example with http.MaxBytesReader; read errors are returned
// wrapped, without matching ErrMalformed.
//
// # What it is not
//
// This package does no HTTP, authentication or method dispatch, and knows
// nothing of supervisord's methods beyond the fault codes they share:
// system.multicall is an ordinary call whose single parameter is an array of
// structs. A multicall result that failed is a struct; encoding a [Fault] as
// a value produces exactly that struct.
package xmlrpc
