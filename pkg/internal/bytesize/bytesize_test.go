package bytesize

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1048576", 1 << 20, false},
		{"1GiB", 1 << 30, false},
		{"1gib", 1 << 30, false},
		{"64k", 64 << 10, false},
		{"1.5MiB", 3 << 19, false},
		{"500MB", 500_000_000, false},
		{"2 GB", 2_000_000_000, false},
		{" 10B ", 10, false},
		{"2TiB", 2 << 40, false},
		{"", 0, true},
		{"GiB", 0, true},
		{"1.5", 0, true},
		{"12XB", 0, true},
		{"-5", 0, true},
		{"1..5k", 0, true},
		{"99999999T", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
