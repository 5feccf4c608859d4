package web

import (
	"strconv"

	"dudao/domain"
)

// Pickers that use what users know (issue 14): units grouped by district, cases by their number.

// optGroup is one <optgroup> of a unit picker.
type optGroup struct {
	Label   string
	Options []option
}

// unitPick is what the "unitopts" template needs: the groups and the value selected.
type unitPick struct {
	Groups   []optGroup
	Selected string
}

// cityRunGroup names the units directly under a city that are not districts: its city-run schools.
const cityRunGroup = "市直属学校和单位"

// unitGroups groups orgs (in path order, as the org list returns them) for a picker: the city (or
// region) on its own, one group per district with the district first and then its units, and the
// city-run units in a group of their own at the end. keep leaves out the orgs it refuses (nil: none).
func unitGroups(orgs []domain.Org, keep func(domain.Org) bool) []optGroup {
	var out []optGroup
	index := map[domain.Jurisdiction]int{} // a district's path → its group
	top, cityRun := -1, optGroup{Label: cityRunGroup}
	add := func(g int, o domain.Org, label string) {
		out[g].Options = append(out[g].Options, option{strconv.FormatInt(o.ID, 10), label})
	}
	for _, o := range orgs {
		switch o.Kind {
		case domain.OrgDistrict:
			index[o.Path] = len(out)
			out = append(out, optGroup{Label: o.Name})
		case domain.OrgCity, domain.OrgRegion:
			if top < 0 {
				top = len(out)
				out = append(out, optGroup{Label: "市本级"})
			}
		}
		if keep != nil && !keep(o) {
			continue
		}
		switch o.Kind {
		case domain.OrgDistrict:
			add(index[o.Path], o, o.Name+"（区本级）")
			continue
		case domain.OrgCity, domain.OrgRegion:
			add(top, o, o.Name)
			continue
		}
		placed := false
		for p := o.Path.Parent(); p != ""; p = p.Parent() {
			if g, ok := index[p]; ok {
				add(g, o, o.Name)
				placed = true
				break
			}
		}
		if !placed {
			cityRun.Options = append(cityRun.Options, option{strconv.FormatInt(o.ID, 10), o.Name})
		}
	}
	if len(cityRun.Options) > 0 {
		out = append(out, cityRun)
	}
	kept := out[:0]
	for _, g := range out {
		if len(g.Options) > 0 {
			kept = append(kept, g)
		}
	}
	return kept
}
