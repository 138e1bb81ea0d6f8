//go:build phone

package main

// With -tags phone the floor also links phonenumbers.
import _ "github.com/nyaruka/phonenumbers"
