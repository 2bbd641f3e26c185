package avlog

import (
	"testing"

	"github.com/asticode/go-astiav"
)

func TestQuietByDefault(t *testing.T) {
	Init()
	if got := astiav.GetLogLevel(); got != astiav.LogLevelQuiet {
		t.Fatalf("log level after Init = %v, want quiet", got)
	}
	SetVerbose(true)
	if got := astiav.GetLogLevel(); got != astiav.LogLevelInfo {
		t.Fatalf("log level after SetVerbose(true) = %v, want info", got)
	}
	SetVerbose(false)
	if got := astiav.GetLogLevel(); got != astiav.LogLevelQuiet {
		t.Fatalf("log level after SetVerbose(false) = %v, want quiet", got)
	}
}
