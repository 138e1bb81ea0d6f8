package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// memberFlags are the flags member add and member edit share.
type memberFlags struct {
	name, phone, branch, role, lang, tags, tz *string
	newBranch                                 *bool
}

func newMemberFlags(fs *flag.FlagSet, phoneHelp, role string) *memberFlags {
	return &memberFlags{
		name:      fs.String("name", "", "full name"),
		phone:     fs.String("phone", "", phoneHelp),
		branch:    fs.String("branch", "", "branch path, e.g. Town/Village; one that does not exist needs --new-branch"),
		newBranch: fs.Bool("new-branch", false, "create --branch, and any branch missing above it, if it does not exist"),
		role:      fs.String("role", role, "member, organizer or admin"),
		lang:      fs.String("lang", "", `zh-Hans, zh-Hant or en ("": from Telegram)`),
		tags:      fs.String("tags", "", "comma-separated tags, e.g. volunteer,away"),
		tz:        fs.String("tz", "", `IANA time zone for members working away ("": the association's)`),
	}
}

// change checks the flags given (by member add: those not empty; by member
// edit: those on the command line) as the store will, so that a bad one
// is said with its flag, and returns them as a store.MemberChange.
func (f *memberFlags) change(given func(flag string) bool) (store.MemberChange, error) {
	var c store.MemberChange
	if given("name") {
		if strings.TrimSpace(*f.name) == "" {
			return c, usageError{"--name may not be empty"}
		}
		if err := checkText("name", *f.name, false); err != nil {
			return c, err
		}
		c.Name = f.name
	}
	if given("branch") {
		if strings.TrimSpace(*f.branch) == "" {
			return c, usageError{"--branch may not be empty: a member's branch is changed, not taken away"}
		}
		if err := checkBranchPath("branch", *f.branch); err != nil {
			return c, err
		}
		c.Branch = f.branch
	}
	if given("tags") {
		if err := checkText("tags", *f.tags, false); err != nil {
			return c, err
		}
		tags := strings.Split(*f.tags, ",")
		c.Tags = &tags
	}
	if given("phone") {
		if _, err := models.NormalizePhone(*f.phone); err != nil {
			return c, usageError{fmt.Sprintf("--phone %q is not a valid phone number", *f.phone)}
		}
		c.Phone = f.phone
	}
	if given("role") {
		r := models.Role(*f.role)
		if !r.Valid() {
			return c, usageError{fmt.Sprintf("--role must be member, organizer or admin, got %q", *f.role)}
		}
		c.Role = &r
	}
	if given("lang") {
		l := ""
		if *f.lang != "" {
			parsed, ok := locales.Parse(*f.lang)
			if !ok {
				return c, usageError{fmt.Sprintf("--lang must be zh-Hans, zh-Hant or en, got %q", *f.lang)}
			}
			l = string(parsed)
		}
		c.Lang = &l
	}
	if given("tz") {
		if *f.tz != "" {
			if _, err := time.LoadLocation(*f.tz); err != nil {
				return c, usageError{fmt.Sprintf("--tz %q is not a time zone", *f.tz)}
			}
		}
		c.TZ = f.tz
	}
	if *f.newBranch && c.Branch == nil {
		return c, usageError{"--new-branch goes with --branch: assocbot member add … --branch 东城镇/李家村 --new-branch"}
	}
	return c, nil
}

// cmdMemberAdd is `assocbot member add`.
func cmdMemberAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	f := newMemberFlags(fs, "phone number (default region CN)", string(models.RoleMember))
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if strings.TrimSpace(*f.name) == "" || strings.TrimSpace(*f.phone) == "" {
			return usageError{"member add needs --name and --phone"}
		}
		ch, err := f.change(func(flag string) bool { return flag == "role" || fs.Lookup(flag).Value.String() != "" })
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		var created []string
		if ch.Branch != nil {
			if created, err = branchesToCreate(ctx, st, *ch.Branch, *f.newBranch); err != nil {
				return err
			}
		}
		nm := store.NewMember{Name: *ch.Name, Phone: *ch.Phone, Role: *ch.Role}
		for _, v := range []struct {
			to   *string
			from *string
		}{{&nm.Branch, ch.Branch}, {&nm.Lang, ch.Lang}, {&nm.TZ, ch.TZ}} {
			if v.from != nil {
				*v.to = *v.from
			}
		}
		if ch.Tags != nil {
			nm.Tags = *ch.Tags
		}
		m, err := st.AddMember(ctx, nm)
		if errors.Is(err, store.ErrPhoneTaken) {
			return phoneTaken(ctx, st, *ch.Phone)
		}
		if err != nil {
			return err
		}
		for _, p := range created {
			// On a line of its own, so that a branch made by mistake is seen.
			fmt.Fprintf(c.stdout, "new branch: %s\n", p)
		}
		fmt.Fprintf(c.stdout, "added member %s\n", describeMember(m))
		return nil
	}
}

// cmdMemberEdit is `assocbot member edit PHONE --name …`: only the flags
// given change, each checked as member add checks it.
func cmdMemberEdit(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	f := newMemberFlags(fs, "their new phone number", "")
	channel := fs.String("channel", "", "how messages reach them: auto (Telegram when linked and reachable, else SMS), telegram or sms")
	smsHealth := fs.String("sms-health", "", "yes: they consent to health reminders by SMS (a lock screen is not private); no: a neutral text")
	smsResume := fs.Bool("sms-resume", false, "send SMS again to a member who replied TD or whose number the provider refused")
	fam := newFamilyFlags(fs)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageError{"member edit needs the member's phone: assocbot member edit 13800138000 --branch 东城镇/李家村"}
		}
		if _, err := models.NormalizePhone(pos[0]); err != nil {
			return usageError{fmt.Sprintf("%q is not a valid phone number", pos[0])}
		}
		given := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
		ch, err := f.change(func(flag string) bool { return given[flag] })
		if err != nil {
			return err
		}
		if given["channel"] {
			c := models.Channel(strings.ToLower(strings.TrimSpace(*channel)))
			if !c.Valid() {
				return usageError{fmt.Sprintf("--channel %q: auto, telegram or sms", *channel)}
			}
			ch.Channel = &c
		}
		if given["sms-health"] {
			yes, err := yesNoFlag("sms-health", *smsHealth)
			if err != nil {
				return err
			}
			ch.SMSHealth = &yes
		}
		ch.SMSResume = *smsResume
		family := fam.given(given)
		if ch == (store.MemberChange{}) && !family {
			return usageError{"member edit needs what to change: --name, --phone, --branch, --role, --tags, --lang, --tz, --channel, --sms-health, --sms-resume, --household, --centre, --birth, --expected or --difficulty"}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		m, err := st.MemberByPhone(ctx, pos[0])
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no member has the phone %s", pos[0])}
		}
		if err != nil {
			return err
		}
		var created []string
		if ch.Branch != nil {
			if created, err = branchesToCreate(ctx, st, *ch.Branch, *f.newBranch); err != nil {
				return err
			}
		}
		if family {
			if err := fam.apply(ctx, c, st, m); err != nil {
				return err
			}
		}
		if ch != (store.MemberChange{}) {
			m, err = st.EditMember(ctx, m.ID, ch)
			if errors.Is(err, store.ErrPhoneTaken) {
				return phoneTaken(ctx, st, *ch.Phone)
			}
			if err != nil {
				return err
			}
		}
		for _, p := range created {
			fmt.Fprintf(c.stdout, "new branch: %s\n", p)
		}
		fmt.Fprintf(c.stdout, "changed member %s\n", describeMember(m))
		return nil
	}
}

// phoneTaken is the bad argument for a phone another member has: who (the
// CLI's user is an admin, who may know).
func phoneTaken(ctx context.Context, st *store.Store, phone string) error {
	m, err := st.MemberByPhone(ctx, phone)
	if err != nil {
		return usageError{fmt.Sprintf("--phone %s: another member has this phone", phone)}
	}
	who := []string{fmt.Sprintf("member %d", m.ID), "no branch", string(m.Role)}
	if m.Branch != nil {
		who[1] = m.Branch.Path
	}
	if m.Status != models.StatusActive {
		who = append(who, string(m.Status))
	}
	return usageError{fmt.Sprintf("--phone %s is already the phone of %s (%s)", models.DisplayPhone(*m.Phone), m.Name, strings.Join(who, ", "))}
}

// describeMember is a member in a line: id, name, phone, branch, role,
// and their language, zone, tags and status when they have them.
func describeMember(m *models.Member) string {
	phone, branch := "(no phone)", "no branch"
	if m.Phone != nil {
		phone = models.DisplayPhone(*m.Phone)
	}
	if m.Branch != nil {
		branch = m.Branch.Path
	}
	more := []string{branch, string(m.Role)}
	if m.Lang != "" {
		more = append(more, m.Lang)
	}
	if m.TZ != "" {
		more = append(more, m.TZ)
	}
	if tags := m.TagNames(); len(tags) > 0 {
		more = append(more, "tags "+strings.Join(tags, ","))
	}
	if m.Status != models.StatusActive {
		more = append(more, string(m.Status))
	}
	if m.Channel != "" && m.Channel != models.ChannelAuto {
		more = append(more, "by "+string(m.Channel))
	}
	if m.SMSHealth {
		more = append(more, "health reminders by SMS")
	}
	if m.SMSStopped() {
		more = append(more, "SMS stopped ("+m.SMSStopReason+")")
	}
	return fmt.Sprintf("%d: %s %s (%s)", m.ID, m.Name, phone, strings.Join(more, ", "))
}

// cmdMemberRemove is `assocbot member remove PHONE`.
func cmdMemberRemove(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		phones, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(phones) != 1 {
			return usageError{"member remove needs one phone number: assocbot member remove 13800138000"}
		}
		if _, err := models.NormalizePhone(phones[0]); err != nil {
			return usageError{fmt.Sprintf("%q is not a valid phone number", phones[0])}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		m, err := st.MemberByPhone(ctx, phones[0])
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no member has the phone %s", phones[0])}
		}
		if err != nil {
			return err
		}
		if m.Status == models.StatusLeft {
			fmt.Fprintf(c.stdout, "%s (%s) has left already\n", m.Name, models.DisplayPhone(*m.Phone))
			return nil
		}
		if err := st.SetMemberStatus(ctx, m.ID, models.StatusLeft); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s (%s) has left: their history is kept, nothing more is sent to them\n", m.Name, models.DisplayPhone(*m.Phone))
		return nil
	}
}

// cmdMemberList is `assocbot member list`.
func cmdMemberList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		ms, err := st.ListMembers(ctx)
		if err != nil {
			return err
		}
		rows := [][]string{{"ID", "NAME", "PHONE", "BRANCH", "ROLE", "LANG", "LINKED", "STATUS", "TAGS"}}
		for _, m := range ms {
			phone, branch, linked := "-", "-", "no"
			if m.Phone != nil {
				phone = models.DisplayPhone(*m.Phone)
			}
			if m.Branch != nil {
				branch = m.Branch.Path
			}
			if m.Linked() {
				linked = "yes"
			}
			lang := m.Lang
			if lang == "" {
				lang = "-"
			}
			rows = append(rows, []string{strconv.FormatUint(uint64(m.ID), 10), m.Name, phone, branch, string(m.Role), lang, linked,
				string(m.Status), strings.Join(m.TagNames(), ",")})
		}
		printTable(c.stdout, rows)
		return nil
	}
}
