package main

import (
	"fmt"

	"github.com/assocbot/assocbot/models"
)

// checkText refuses, as a bad argument that names its flag, a value that
// models.ValidText refuses: a name, branch, tag, title or place (one line)
// or a notice or description (multiline). The store refuses it too; this
// says which flag.
func checkText(flag, value string, multiline bool) error {
	if models.ValidText(value, multiline) {
		return nil
	}
	what := "a control character (ESC, BEL, a newline, …)"
	if multiline {
		what = "a control character (ESC, BEL, …)"
	}
	return usageError{fmt.Sprintf("--%s %q holds %s, a text-direction override or bytes that are not UTF-8; type it again without them", flag, value, what)}
}
