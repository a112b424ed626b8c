package supervisor

import (
	"testing"
)

func TestTailBuffer(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"empty", nil, ""},
		{"under capacity", []string{"ab", "cd"}, "abcd"},
		{"exactly full", []string{"abcd", "efgh"}, "abcdefgh"},
		{"wraps", []string{"abcdef", "ghij"}, "cdefghij"},
		{"wraps twice", []string{"abc", "def", "ghi", "jkl", "mno", "pqr"}, "klmnopqr"},
		{"one big write", []string{"ab", "0123456789"}, "23456789"},
		{"write of capacity", []string{"xyz", "01234567"}, "01234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTailBuffer(8)
			var total int64
			for _, w := range tt.writes {
				n, err := b.Write([]byte(w))
				if n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				total += int64(n)
			}
			if got := string(b.Bytes()); got != tt.want {
				t.Errorf("Bytes() = %q, want %q", got, tt.want)
			}
			if b.Total() != total {
				t.Errorf("Total() = %d, want %d", b.Total(), total)
			}
			b.Reset()
			if len(b.Bytes()) != 0 || b.Total() != 0 {
				t.Errorf("Reset kept %q", b.Bytes())
			}
		})
	}
	idle := newTailBuffer(defaultTailBytes)
	if idle.buf != nil {
		t.Errorf("an unwritten tail buffer holds %d bytes", len(idle.buf))
	}
	_, _ = idle.Write([]byte("x"))
	if len(idle.buf) != 64<<10 {
		t.Errorf("default size %d", len(idle.buf))
	}
}
