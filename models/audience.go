package models

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AudienceKind is how an audience picks its members.
type AudienceKind string

// The kinds of audience (SPEC C3, C6). Their strings are stored in
// events.audience and broadcasts.audience, so they never change.
const (
	AudienceAll        AudienceKind = "all"        // every member
	AudienceBranch     AudienceKind = "branch"     // a branch and the branches below it
	AudienceBranches   AudienceKind = "branches"   // several branches, each with those below it
	AudienceTag        AudienceKind = "tag"        // everyone with a tag
	AudienceMembers    AudienceKind = "members"    // listed members
	AudienceOrganizers AudienceKind = "organizers" // those who decide for a branch: its organizers and those above, else the admins
)

// Audience is who a message, an event or a broadcast reaches. It is written
// and read as "all", "branch:Town/Village", "branches:Town/A|Town/B",
// "tag:volunteer", "members:3,8", "organizers:Town/Village" or
// "organizers" (every organizer and admin). Only this
// file compares its kinds.
type Audience struct {
	Kind     AudienceKind
	Branch   string   // path, for branch and organizers
	Branches []string // paths, for branches
	Tag      string   // for tag
	Members  []uint   // for members
}

// ErrBadAudience is returned for an audience that cannot be read.
var ErrBadAudience = errors.New("bad audience")

// Everyone is the audience of all members.
func Everyone() Audience { return Audience{Kind: AudienceAll} }

// TopPaths are paths without those below another of them (each is in
// that one already), once each, sorted.
func TopPaths(paths []string) []string {
	var kept []string
	for _, p := range paths {
		inside := slices.ContainsFunc(paths, func(q string) bool { return q != p && PathWithin(p, q) })
		if !inside && !slices.Contains(kept, p) {
			kept = append(kept, p)
		}
	}
	slices.Sort(kept)
	return kept
}

// BranchAudience is a branch with the branches below it.
func BranchAudience(path string) Audience { return Audience{Kind: AudienceBranch, Branch: path} }

// BranchesAudience is several branches, each with those below it: a branch
// below another chosen is left out (it is in it already); one branch is a
// BranchAudience.
func BranchesAudience(paths ...string) Audience {
	kept := TopPaths(paths)
	if len(kept) == 1 {
		return BranchAudience(kept[0])
	}
	return Audience{Kind: AudienceBranches, Branches: kept}
}

// TagAudience is everyone tagged tag.
func TagAudience(tag string) Audience { return Audience{Kind: AudienceTag, Tag: tag} }

// MembersAudience is the listed members.
func MembersAudience(ids ...uint) Audience { return Audience{Kind: AudienceMembers, Members: ids} }

// OrganizersAudience is whoever decides for the branch at path.
func OrganizersAudience(path string) Audience {
	return Audience{Kind: AudienceOrganizers, Branch: path}
}

// AllOrganizers is every organizer and admin of the association
// ("organizers"): the association's year has notices for them alone.
func AllOrganizers() Audience { return Audience{Kind: AudienceOrganizers} }

// ParseAudience reads an audience as String writes it.
func ParseAudience(s string) (Audience, error) {
	kind, arg, _ := strings.Cut(strings.TrimSpace(s), ":")
	switch AudienceKind(kind) {
	case AudienceAll:
		if arg == "" {
			return Everyone(), nil
		}
	case AudienceBranch, AudienceOrganizers:
		if AudienceKind(kind) == AudienceOrganizers && !strings.Contains(s, ":") {
			return AllOrganizers(), nil
		}
		if p, err := CleanBranchPath(arg); err == nil {
			return Audience{Kind: AudienceKind(kind), Branch: p}, nil
		}
	case AudienceBranches:
		var paths []string
		for _, f := range strings.Split(arg, "|") {
			p, err := CleanBranchPath(f)
			if err != nil {
				return Audience{}, fmt.Errorf("%w: %q", ErrBadAudience, s)
			}
			paths = append(paths, p)
		}
		if len(paths) > 1 {
			return BranchesAudience(paths...), nil
		}
	case AudienceTag:
		if t := NormalizeTag(arg); t != "" && ValidText(t, false) {
			return TagAudience(t), nil
		}
	case AudienceMembers:
		var ids []uint
		for _, f := range strings.Split(arg, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 32)
			if err != nil || n == 0 {
				return Audience{}, fmt.Errorf("%w: %q", ErrBadAudience, s)
			}
			ids = append(ids, uint(n))
		}
		return MembersAudience(ids...), nil
	}
	return Audience{}, fmt.Errorf("%w: %q (want all, branch:Town/Village or tag:T)", ErrBadAudience, s)
}

// String is the audience as ParseAudience reads it.
func (a Audience) String() string {
	switch a.Kind {
	case AudienceOrganizers:
		if a.Branch == "" {
			return string(a.Kind)
		}
		return string(a.Kind) + ":" + a.Branch
	case AudienceBranch:
		return string(a.Kind) + ":" + a.Branch
	case AudienceBranches:
		return "branches:" + strings.Join(a.Branches, "|")
	case AudienceTag:
		return "tag:" + a.Tag
	case AudienceMembers:
		parts := make([]string, len(a.Members))
		for i, id := range a.Members {
			parts[i] = strconv.FormatUint(uint64(id), 10)
		}
		return "members:" + strings.Join(parts, ",")
	}
	return "all"
}

// IsBranch reports whether the audience is a branch subtree, and which.
func (a Audience) IsBranch() (string, bool) { return a.Branch, a.Kind == AudienceBranch }

// IsBranches reports whether the audience is several branches, and which.
func (a Audience) IsBranches() ([]string, bool) { return a.Branches, a.Kind == AudienceBranches }

// IsTag reports whether the audience is a tag, and which.
func (a Audience) IsTag() (string, bool) { return a.Tag, a.Kind == AudienceTag }

// IsMembers reports whether the audience lists members, and whom.
func (a Audience) IsMembers() ([]uint, bool) { return a.Members, a.Kind == AudienceMembers }

// IsOrganizers reports whether the audience is those who decide for a
// branch, and which.
func (a Audience) IsOrganizers() (string, bool) { return a.Branch, a.Kind == AudienceOrganizers }

// IsEveryone reports whether the audience is every member.
func (a Audience) IsEveryone() bool { return a.Kind == AudienceAll }

// Includes reports whether m (with its branch and tags loaded) is in the
// audience of members. The organizers audience is resolved by the store: it
// depends on who organizes what.
func (a Audience) Includes(m *Member) bool {
	if m == nil {
		return false
	}
	switch a.Kind {
	case AudienceAll:
		return true
	case AudienceBranch:
		return m.Branch != nil && PathWithin(m.Branch.Path, a.Branch)
	case AudienceBranches:
		return m.Branch != nil && slices.ContainsFunc(a.Branches, func(p string) bool { return PathWithin(m.Branch.Path, p) })
	case AudienceTag:
		return slices.Contains(m.TagNames(), a.Tag)
	case AudienceMembers:
		return slices.Contains(a.Members, m.ID)
	}
	return false
}

// PathWithin reports whether the branch at path is top or below it: the one
// rule of a branch's subtree. Its other forms are AncestorPaths (the tops a
// path is within) and, in SQL, the store's branchesWithin;
// TestSubtreeIsOneRule (models/store) runs them all over the same cases.
func PathWithin(path, top string) bool {
	return path == top || strings.HasPrefix(path, top+"/")
}

// AncestorPaths lists the paths path is within (PathWithin), top first:
// "A", "A/B", "A/B/C" for "A/B/C".
func AncestorPaths(path string) []string {
	parts := strings.Split(path, "/")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = strings.Join(parts[:i+1], "/")
	}
	return out
}

// ErrBadBranchPath is returned for a branch path with an empty segment.
var ErrBadBranchPath = errors.New("bad branch path")

// CleanBranchPath trims the segments of "Town / Village" and rejects empty
// or overlong ones, and a path that ValidText refuses (the error is then
// also ErrBadText).
func CleanBranchPath(path string) (string, error) {
	// Another separator (\, the full-width ／ or ＼, |) is a typo, not a
	// branch name: refused rather than made into a branch.
	if strings.ContainsAny(path, "\\／＼|｜\n\t") {
		return "", fmt.Errorf("%w: %q", ErrBadBranchPath, path)
	}
	if !ValidText(path, false) {
		return "", fmt.Errorf("%w: %w: %q", ErrBadBranchPath, ErrBadText, path)
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" || len(parts[i]) > 100 {
			return "", fmt.Errorf("%w: %q", ErrBadBranchPath, path)
		}
	}
	return strings.Join(parts, "/"), nil
}

// NormalizeTag is a tag as stored: trimmed, lower case.
func NormalizeTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }
