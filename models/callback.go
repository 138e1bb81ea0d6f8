package models

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Action is what an inline button does.
type Action string

// The actions of inline buttons. Their codes are in messages already sent,
// so they never change.
const (
	ActLang          Action = "lang" // Op: a language code
	ActJoin          Action = "join" // start a join request
	ActJoinBrowse    Action = "jb"   // ID: a branch to open (0: the top)
	ActJoinChoose    Action = "jc"   // ID: the branch chosen
	ActJoinDecide    Action = "jr"   // Op: a(pprove) or d(ecline); ID: the request
	ActBroadcast     Action = "bc"   // Op: the dialog step; Arg: its value
	ActNewEvent      Action = "ne"   // Op: the dialog step; Arg: its value
	ActRSVP          Action = "rv"   // Event, Occ; Op: y, m, n, g (one more guest) or r (one fewer)
	ActCalendar      Action = "ic"   // Event
	ActCheckIn       Action = "ck"   // Event, Occ; ID: the member
	ActVisitDone     Action = "vd"   // ID: the visit
	ActVisitNote     Action = "vn"   // ID: the visit; Op: n (a note), g (what was given) or p (a photo)
	ActRate          Action = "rt"   // Event, Occ; Op: 1 to 5 (a rating message sent before the day-after survey: answers it)
	ActPlanDone      Action = "pd"   // ID: the plan; Op: its cycle
	ActPlanSnooze    Action = "pz"   // ID: the plan; Op: its cycle
	ActPlanPhoto     Action = "pp"   // ID: the plan; Op: its cycle
	ActPlanRecord    Action = "po"   // ID: the plan; Op: its cycle (an organizer records it done)
	ActPlanRecordAsk Action = "pq"   // ID: the plan; Op: its cycle (ask before recording), or x (not now)
	ActCheckApprove  Action = "pa"   // ID: the check record
	ActCheckReject   Action = "pr"   // ID: the check record
	ActAssign        Action = "as"   // Op: the /assign dialog step; Arg: its value
	ActRecord        Action = "rc"   // Event, Occ; Op: the record dialog's step
	ActImport        Action = "im"   // Op: y(es, import) or n(o); Arg: the file's unique id
	ActExport        Action = "ex"   // Op: the table (m, o, r, e); Arg: a quarter or an event
	ActMute          Action = "mu"   // Op: on (pause reminders) or off
	ActCancelEvent   Action = "ce"   // Event; Op: y (cancel it) or n (keep it)
	ActNoticeCancel  Action = "nx"   // ID: a scheduled broadcast to call off
	ActNoticeStop    Action = "nr"   // ID: a recurring notice to stop
	ActMemberCard    Action = "mc"   // ID: a member; Op: v (card), l (ask to mark as left), y (mark), ca/ct/cs (channel), h1/h0 (SMS health consent), r (resume SMS), d1/d0 (a family in difficulty or not), bt (a birth today), fe (edit the household)
	ActEventAdmin    Action = "ea"   // Event; Op: a (answers), n (nudge), c (check-in), x (cancel), v (its card)
	ActNewSurvey     Action = "ns"   // Op: the /newsurvey dialog step; Arg: its value
	ActSurveyResults Action = "sr"   // ID: the survey (its results, to an organizer who may reach its audience)
	ActInquiry       Action = "iq"   // ID: a member's question; Op: s (send it, by its asker), r (reply, by an organizer)
	ActFAQ           Action = "fq"   // ID: a frequent question (its answer, to whoever taps)
	ActSurvey        Action = "sv"   // ID: the survey; Op: "2.1" (question 2, answer 1) or c (change the answers); Arg: the ballot of an anonymous survey
	maxCallbackBytes        = 64     // Telegram's limit on callback_data
)

// Callback is the data of an inline button, typed: every button is written
// by Encode and read by ParseCallback, and nowhere by hand. The data comes
// from the client and can be forged: handlers re-check everything it names.
type Callback struct {
	Action Action
	Event  uint      // rv, ic, ck, rt
	Occ    time.Time // rv, ck, rt: the occurrence, to the minute
	ID     uint      // jb, jc, jr: a branch or request; ck: a member
	Op     string
	Arg    string // bc, ne: the rest, which may hold ':'
}

// The fields each action carries, in order.
type field int

const (
	fEvent field = iota
	fOcc
	fID
	fID0 // an id that may be 0
	fOp
	fArg
)

var layouts = map[Action][]field{
	ActLang:          {fOp},
	ActJoin:          {},
	ActJoinBrowse:    {fID0},
	ActJoinChoose:    {fID},
	ActJoinDecide:    {fOp, fID},
	ActBroadcast:     {fOp, fArg},
	ActNewEvent:      {fOp, fArg},
	ActRSVP:          {fEvent, fOcc, fOp},
	ActCalendar:      {fEvent},
	ActCheckIn:       {fEvent, fOcc, fID},
	ActRate:          {fEvent, fOcc, fOp},
	ActVisitDone:     {fID},
	ActVisitNote:     {fID, fOp},
	ActPlanDone:      {fID, fOp},
	ActPlanSnooze:    {fID, fOp},
	ActPlanPhoto:     {fID, fOp},
	ActPlanRecord:    {fID, fOp},
	ActPlanRecordAsk: {fID, fOp},
	ActCheckApprove:  {fID},
	ActCheckReject:   {fID},
	ActAssign:        {fOp, fArg},
	ActRecord:        {fEvent, fOcc, fOp},
	ActImport:        {fOp, fArg},
	ActExport:        {fOp, fArg},
	ActMute:          {fOp},
	ActCancelEvent:   {fEvent, fOp},
	ActNoticeCancel:  {fID},
	ActNoticeStop:    {fID},
	ActEventAdmin:    {fEvent, fOp},
	ActMemberCard:    {fID, fOp},
	ActSurvey:        {fID, fOp, fArg},
	ActSurveyResults: {fID, fArg},
	ActNewSurvey:     {fOp, fArg},
	ActInquiry:       {fID, fOp},
	ActFAQ:           {fID},
}

// The operations an action accepts (an empty list: any short word).
var ops = map[Action][]string{
	ActJoinDecide:  {"a", "d"},
	ActRSVP:        {"y", "m", "n", "g", "r"},
	ActRate:        {"1", "2", "3", "4", "5"},
	ActVisitNote:   {"n", "g", "p"},
	ActImport:      {"y", "n"},
	ActExport:      {"m", "o", "r", "v", "e"},
	ActMute:        {"on", "off"},
	ActInquiry:     {"s", "r"},
	ActCancelEvent: {"y", "n"},
	ActEventAdmin:  {"a", "n", "c", "x", "v"},
	ActMemberCard:  {"v", "l", "y", "ca", "ct", "cs", "h1", "h0", "r", "d1", "d0", "bt", "fe"},
	ActRecord:      {"s", "t", "n", "d", "x"},
}

// ErrBadCallback is returned for callback data no button of ours carries.
var ErrBadCallback = errors.New("bad callback data")

// Encode writes the callback as callback_data.
func (c Callback) Encode() string {
	parts := []string{string(c.Action)}
	for _, f := range layouts[c.Action] {
		switch f {
		case fEvent:
			parts = append(parts, strconv.FormatUint(uint64(c.Event), 10))
		case fOcc:
			parts = append(parts, strconv.FormatInt(c.Occ.Unix()/60, 10))
		case fID, fID0:
			parts = append(parts, strconv.FormatUint(uint64(c.ID), 10))
		case fOp:
			parts = append(parts, c.Op)
		case fArg:
			if c.Arg != "" {
				parts = append(parts, c.Arg)
			}
		}
	}
	return strings.Join(parts, ":")
}

// Fits reports whether the encoded callback is within Telegram's 64 bytes.
func (c Callback) Fits() bool { return len(c.Encode()) <= maxCallbackBytes }

// ParseCallback reads callback_data written by Encode.
func ParseCallback(s string) (Callback, error) {
	if s == "" || len(s) > maxCallbackBytes {
		return Callback{}, ErrBadCallback
	}
	head, rest, _ := strings.Cut(s, ":")
	c := Callback{Action: Action(head)}
	layout, ok := layouts[c.Action]
	if !ok {
		return Callback{}, ErrBadCallback
	}
	var parts []string
	if rest != "" {
		parts = strings.SplitN(rest, ":", len(layout))
	}
	if len(parts) > len(layout) {
		return Callback{}, ErrBadCallback
	}
	for i, f := range layout {
		if i >= len(parts) {
			if f == fArg {
				break // an empty value
			}
			return Callback{}, ErrBadCallback
		}
		p := parts[i]
		switch f {
		case fEvent, fID, fID0:
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil || (n == 0 && f != fID0) {
				return Callback{}, ErrBadCallback
			}
			if f == fEvent {
				c.Event = uint(n)
			} else {
				c.ID = uint(n)
			}
		case fOcc:
			m, err := strconv.ParseInt(p, 10, 64)
			if err != nil || m <= 0 || m > 1<<40 {
				return Callback{}, ErrBadCallback
			}
			c.Occ = time.Unix(m*60, 0).UTC()
		case fOp:
			if p == "" || len(p) > 16 || (len(ops[c.Action]) > 0 && !contains(ops[c.Action], p)) {
				return Callback{}, ErrBadCallback
			}
			c.Op = p
		case fArg:
			c.Arg = p
		}
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AudienceChoice is an audience button of a dialog: everyone, a branch by
// id, or a tag. Branches go by id because a path may not fit in 64 bytes.
type AudienceChoice struct {
	All    bool
	Branch uint
	Tag    string
}

// Encode writes the choice as a dialog step's value: "e" (everyone),
// "b:<id>", "t:<tag>".
func (a AudienceChoice) Encode() string {
	switch {
	case a.All:
		return "e"
	case a.Branch != 0:
		return "b:" + strconv.FormatUint(uint64(a.Branch), 10)
	}
	return "t:" + a.Tag
}

// ParseAudienceChoice reads a choice written by Encode.
func ParseAudienceChoice(s string) (AudienceChoice, error) {
	kind, arg, _ := strings.Cut(s, ":")
	switch {
	case kind == "e" && arg == "":
		return AudienceChoice{All: true}, nil
	case kind == "b":
		n, err := strconv.ParseUint(arg, 10, 32)
		if err == nil && n > 0 {
			return AudienceChoice{Branch: uint(n)}, nil
		}
	case kind == "t" && NormalizeTag(arg) != "":
		return AudienceChoice{Tag: NormalizeTag(arg)}, nil
	}
	return AudienceChoice{}, ErrBadCallback
}
