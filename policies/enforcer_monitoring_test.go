package policies

import "dudao/domain"

// The role table's rows for frameworks, monitoring and the 督办 ledger (SPEC §1 and §3), written out by
// hand like the rest and added to it here, so that TestEnforcerMatrix and TestPolicyHasNothingElse check
// them too.
func init() {
	allPairs = append(allPairs,
		pair{"framework", "read"}, pair{"framework", "create"}, pair{"framework", "edit"}, pair{"framework", "publish"}, pair{"framework", "retire"},
		pair{"indicator", "read"},
		pair{"observation", "read"}, pair{"observation", "write"},
		pair{"monitoring", "read"}, pair{"monitoring", "decide"}, pair{"monitoring", "propose"},
		pair{"task", "read"}, pair{"task", "create"}, pair{"task", "progress"}, pair{"task", "report"}, pair{"task", "verify"},
		pair{"task", "accept"}, pair{"task", "return"}, pair{"task", "edit"},
	)
	more := map[domain.Role][]pair{
		// keeps the office's frameworks; reads monitoring and decides the cases it proposes; assigns,
		// verifies and closes 督办事项.
		domain.RoleDirector: {
			{"framework", "read"}, {"framework", "create"}, {"framework", "edit"}, {"framework", "publish"}, {"framework", "retire"},
			{"indicator", "read"}, {"observation", "read"}, {"monitoring", "read"}, {"monitoring", "decide"},
			{"task", "read"}, {"task", "create"}, {"task", "verify"}, {"task", "accept"}, {"task", "return"}, {"task", "edit"},
		},
		// scores inspections with the frameworks; reads monitoring; verifies (核查) and returns 督办事项,
		// and reports on the city office's own tasks (the org tree does not separate the office from the bureau).
		domain.RoleSupervisor: {
			{"framework", "read"}, {"indicator", "read"}, {"observation", "read"}, {"monitoring", "read"},
			{"task", "read"}, {"task", "progress"}, {"task", "report"}, {"task", "verify"}, {"task", "return"},
		},
		// enters monitoring data (SPEC §1); reads the frameworks it is inspected with; reports on its tasks.
		domain.RoleDistrictOffice: {
			{"framework", "read"}, {"indicator", "read"}, {"observation", "read"}, {"observation", "write"}, {"monitoring", "read"},
			{"task", "read"}, {"task", "progress"}, {"task", "report"},
		},
		// reads the frameworks it is inspected with and the catalog; reports on its tasks; no monitoring data.
		domain.RoleSchool: {
			{"framework", "read"}, {"indicator", "read"},
			{"task", "read"}, {"task", "progress"}, {"task", "report"},
		},
		// enters and imports indicator data; reads monitoring (SPEC §1); nothing else.
		domain.RoleMonitor: {
			{"indicator", "read"}, {"observation", "read"}, {"observation", "write"}, {"monitoring", "read"},
		},
		// reads everything in scope; changes nothing.
		domain.RoleAuditor: {
			{"framework", "read"}, {"indicator", "read"}, {"observation", "read"}, {"monitoring", "read"}, {"task", "read"},
		},
		// nobody proposes a monitoring case but the system, which the authorizer is not asked about.
	}
	for r, ps := range more {
		roleMay[r] = append(roleMay[r], ps...)
	}
}
