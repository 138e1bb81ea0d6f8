package models

import "testing"

// TestMemberMatches: a search finds a member by a part of the name, in any
// case, or by a part of the phone as people write it; letters beside
// digits are a name's search, not a phone's.
func TestMemberMatches(t *testing.T) {
	phone := "+8613800000001"
	m := Member{Name: "王芳 Wang Fang", Phone: &phone}
	for q, want := range map[string]bool{
		"": true, "王": true, "wang": true, "FANG": true, "138 0000": true, "138-0000-0001": true, "0001": true,
		"李": false, "13900": false, "王1": false, "1x": false, "+86 139": false,
	} {
		if got := m.Matches(q); got != want {
			t.Errorf("Matches(%q) = %v, want %v", q, got, want)
		}
	}
	if (Member{Name: "李四"}).Matches("138") {
		t.Error("a member without a phone matched digits")
	}
}
