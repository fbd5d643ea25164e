package livechatfake

import "testing"

func TestDurationJSON(t *testing.T) {
	var r TriggerRequest
	if err := r.Timeout.UnmarshalJSON([]byte(`"1.5s"`)); err != nil || r.Timeout != Duration(1500e6) {
		t.Errorf("%v %v", r.Timeout, err)
	}
	if err := r.Timeout.UnmarshalJSON([]byte(`2000`)); err != nil || r.Timeout != 2000 {
		t.Errorf("%v %v", r.Timeout, err)
	}
	if b, _ := Duration(1500e6).MarshalJSON(); string(b) != `"1.5s"` {
		t.Errorf("%s", b)
	}
	if err := r.Timeout.UnmarshalJSON([]byte(`"soon"`)); err == nil {
		t.Error("bad duration accepted")
	}
}
