package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"dudao/domain"
)

// The province of SPEC §6: 1 region, 12 cities, 103 districts (旗县市区), 5,000 schools and 1,500
// inspectors, fixed whatever the scale; ten years of cases (≈ 500k at scale 1) with their findings,
// measures, rechecks, objections and audit events, and the 问责 and 激励 decided over them. It is
// deterministic: the same seed, scale and date give the same rows.

// cities are Inner Mongolia's twelve leagues and cities; the number prefixes take their first character.
var cities = []string{"呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市", "呼伦贝尔市",
	"巴彦淖尔市", "乌兰察布市", "兴安盟", "锡林郭勒盟", "阿拉善盟"}

const (
	nDistricts   = 103
	nSchools     = 5000
	nSupervisors = 1500
	casesAtFull  = 500_000
	years        = 10
	// supervisorsPerCity sit in each city office; the rest are spread over the district offices.
	supervisorsPerCity = 30
)

// Topics make case titles; the harness searches for one of them (searchTopic) as a user would.
var topics = []string{"秋季开学校园安全", "食堂食品安全", "课后服务", "作业管理", "招生入学", "师德师风建设", "校舍维修改造",
	"体育与健康", "心理健康教育", "控辍保学", "教育收费", "实验教学", "阅读推广", "应急疏散演练", "防溺水安全教育",
	"校车安全管理", "双减落实", "劳动教育", "语言文字规范化", "教育信息化建设"}

const searchTopic = "防溺水"

var kindWords = map[domain.CaseKind]string{domain.KindComprehensive: "综合督导", domain.KindSpecial: "专项督导",
	domain.KindRoutine: "经常性督导", domain.KindRandom: "双随机抽查", domain.KindFollowup: "整改情况回头看"}

var categories = []string{"校园安全", "食品卫生", "招生收费", "课程教学", "师德师风", "经费保障", "办学条件", "其他"}

var findingTitles = map[string][]string{
	"校园安全": {"消防通道堆放杂物", "监控设备部分损坏", "门卫值守记录不全", "安全演练未按计划开展"},
	"食品卫生": {"食材留样记录不全", "后厨操作人员健康证过期", "陪餐制度落实不到位"},
	"招生收费": {"收费公示不规范", "代收费项目未经审批", "招生简章内容不规范"},
	"课程教学": {"课程开设不足", "课后作业总量超标", "实验课开出率偏低"},
	"师德师风": {"师德考核档案不完整", "有偿补课排查不到位"},
	"经费保障": {"公用经费使用台账不清", "专项资金拨付滞后"},
	"办学条件": {"功能室配备不达标", "校舍存在渗漏", "图书更新不及时"},
	"其他":   {"制度文件未及时修订", "档案管理不规范"},
}

// org is one node of the tree with what the generator needs to know of it.
type org struct {
	id     int64
	code   string
	name   string
	kind   domain.OrgKind
	parent int64
	path   string
	city   *org // the city an org lies in (itself for a city)
	dist   *org // the district a school lies in (itself for a district)
	// users of the org by role, and its supervisors
	director, office, school int64
	supervisors              []int64
}

func (o *org) domainOrg() domain.Org {
	return domain.Org{ID: o.id, Code: o.code, Name: o.name, Kind: o.kind, Path: domain.Jurisdiction(o.path)}
}

type user struct {
	id       int64
	username string
	name     string
	org      *org
	role     domain.Role
}

// province is the tree and the people; cases are drawn from it year by year.
type province struct {
	scale     float64
	asOf      time.Time // the day the data stops: the latest event happens before it
	region    *org
	cities    []*org
	districts []*org
	schools   []*org
	orgs      []*org
	users     []user
	nameOf    map[int64]string
}

// benchPassword is every generated user's password (a loopback-only benchmark).
const benchPassword = "bench-password-1"

// Usernames the harness logs in as.
const (
	userRegionDirector = "dir.nm"
	userAuditor        = "auditor.nm"
	userMonitor        = "monitor.nm"
	userAdmin          = "admin"
)

func newProvince(scale float64, asOf time.Time) *province {
	p := &province{scale: scale, asOf: asOf, nameOf: map[int64]string{}}
	add := func(o *org) *org {
		o.id = int64(len(p.orgs) + 1)
		p.orgs = append(p.orgs, o)
		return o
	}
	p.region = add(&org{code: "nm", name: "内蒙古自治区", kind: domain.OrgRegion, path: "nm/"})
	for c, name := range cities {
		city := add(&org{code: fmt.Sprintf("c%02d", c+1), name: name, kind: domain.OrgCity, parent: p.region.id})
		city.path, city.city = p.region.path+city.code+"/", city
		p.cities = append(p.cities, city)
		n := 9 // 7 × 9 + 5 × 8 = 103
		if c >= 7 {
			n = 8
		}
		short := []rune(name)
		short = short[:len(short)-1]
		for d := range n {
			dist := add(&org{code: fmt.Sprintf("d%02d", d+1), name: fmt.Sprintf("%s第%d旗县区", string(short), d+1),
				kind: domain.OrgDistrict, parent: city.id, city: city})
			dist.path, dist.dist = city.path+dist.code+"/", dist
			p.districts = append(p.districts, dist)
		}
	}
	levels := []string{"小学", "中学", "幼儿园", "小学", "中学"}
	for s := range nSchools {
		dist := p.districts[s%len(p.districts)]
		sch := add(&org{code: fmt.Sprintf("s%04d", s+1), kind: domain.OrgSchool, parent: dist.id, city: dist.city, dist: dist})
		sch.name = fmt.Sprintf("%s第%d%s", dist.name, s/len(p.districts)+1, levels[s%len(levels)])
		sch.path = dist.path + sch.code + "/"
		p.schools = append(p.schools, sch)
	}

	addUser := func(username, name string, o *org, role domain.Role) int64 {
		id := int64(len(p.users) + 1)
		p.users = append(p.users, user{id: id, username: username, name: name, org: o, role: role})
		p.nameOf[id] = name
		return id
	}
	addUser(userAdmin, "系统管理员", p.region, domain.RoleAdmin)
	p.region.director = addUser(userRegionDirector, "自治区督导室主任", p.region, domain.RoleDirector)
	addUser(userAuditor, "自治区纪检审计", p.region, domain.RoleAuditor)
	addUser(userMonitor, "自治区评估监测", p.region, domain.RoleMonitor)
	for _, c := range p.cities {
		c.director = addUser("dir."+c.code, c.name+"督导室主任", c, domain.RoleDirector)
	}
	for _, d := range p.districts {
		key := d.city.code + d.code
		d.director = addUser("dir."+key, d.name+"督导室主任", d, domain.RoleDirector)
		d.office = addUser("office."+key, d.name+"教育局", d, domain.RoleDistrictOffice)
	}
	for _, s := range p.schools {
		s.school = addUser("school."+s.code, s.name, s, domain.RoleSchool)
	}
	n := 0
	supervise := func(o *org) {
		n++
		o.supervisors = append(o.supervisors, addUser(fmt.Sprintf("insp%04d", n), fmt.Sprintf("督学%04d", n), o, domain.RoleSupervisor))
	}
	for _, c := range p.cities {
		for range supervisorsPerCity {
			supervise(c)
		}
	}
	for i := 0; n < nSupervisors; i++ {
		supervise(p.districts[i%len(p.districts)])
	}
	return p
}

// firstYear is the oldest year of cases; the last is asOf's.
func (p *province) firstYear() int { return p.asOf.In(domain.CST).Year() - years + 1 }

// casesPerYear is how many cases a year holds at the province's scale.
func (p *province) casesPerYear() int { return max(1, int(float64(casesAtFull)*p.scale/years+0.5)) }

// totalCases is how many cases the province holds.
func (p *province) totalCases() int { return p.casesPerYear() * years }

// event is one audit event of a generated case, before it is chained.
type event struct {
	action string
	actor  int64
	at     time.Time
	detail string
}

// genCase is one generated case with its parts.
type genCase struct {
	id                int64
	number            string
	year, seq         int
	typ               domain.CaseType
	kind              domain.CaseKind
	owner, target     *org
	title             string
	plannedOn         string
	status            domain.Status
	createdBy         int64
	created           time.Time
	started           *time.Time
	preliminary       *time.Time
	issued            *time.Time
	closed            *time.Time
	objectionDeadline *time.Time
	acknowledged      bool
	reviewBy          int64
	issuedBy          int64
	rectifiedBy       int64
	recheckFailures   int
	cancelReason      string
	inspectors        []int64
	findings          []genFinding
	objection         *genObjection
	events            []event
}

type genFinding struct {
	id                        int64
	title, description        string
	severity, category, dueOn string
	status                    domain.FindingStatus
	measure                   bool
	rechecks                  []genRecheck
}

type genRecheck struct {
	round  int
	passed bool
	by     int64
	at     time.Time
	newDue string
}

type genObjection struct {
	findingIdx int
	text       string
	upheld     bool
	filedBy    int64
	filedAt    time.Time
	ruledBy    int64
	ruledAt    time.Time
}

// statusMix is the chance of each status for a case opened ageDays before asOf: recent cases are in
// flight, old ones closed, with a tail of long rectifications.
func statusMix(ageDays float64) []struct {
	s domain.Status
	w int
} {
	type sw = struct {
		s domain.Status
		w int
	}
	switch {
	case ageDays < 20:
		return []sw{{domain.StatusPlanned, 45}, {domain.StatusInspecting, 30}, {domain.StatusFeedback, 15}, {domain.StatusReview, 7}, {domain.StatusCancelled, 3}}
	case ageDays < 60:
		return []sw{{domain.StatusInspecting, 10}, {domain.StatusFeedback, 8}, {domain.StatusReview, 10}, {domain.StatusRectifying, 55},
			{domain.StatusVerifying, 10}, {domain.StatusClosed, 5}, {domain.StatusCancelled, 2}}
	case ageDays < 180:
		return []sw{{domain.StatusRectifying, 40}, {domain.StatusVerifying, 15}, {domain.StatusClosed, 43}, {domain.StatusCancelled, 2}}
	case ageDays < 730:
		return []sw{{domain.StatusRectifying, 5}, {domain.StatusVerifying, 2}, {domain.StatusClosed, 90}, {domain.StatusCancelled, 3}}
	}
	return []sw{{domain.StatusRectifying, 1}, {domain.StatusClosed, 96}, {domain.StatusCancelled, 3}}
}

func pickStatus(rng *rand.Rand, ageDays float64) domain.Status {
	mix := statusMix(ageDays)
	total := 0
	for _, m := range mix {
		total += m.w
	}
	r := rng.IntN(total)
	for _, m := range mix {
		if r < m.w {
			return m.s
		}
		r -= m.w
	}
	return domain.StatusClosed
}

// stage orders the statuses along the workflow, to know which steps a case has taken.
var stage = map[domain.Status]int{domain.StatusPlanned: 0, domain.StatusInspecting: 1, domain.StatusFeedback: 2,
	domain.StatusReview: 3, domain.StatusRectifying: 4, domain.StatusVerifying: 5, domain.StatusClosed: 6}

// yearCases draws the cases of year y, in the order they were opened; counters carries the numbering
// per owner, type and year.
func (p *province) yearCases(rng *rand.Rand, y int, counters map[counterKey]int) []*genCase {
	start := time.Date(y, 1, 1, 0, 0, 0, 0, domain.CST)
	end := time.Date(y+1, 1, 1, 0, 0, 0, 0, domain.CST)
	if end.After(p.asOf) {
		end = p.asOf
	}
	n := p.casesPerYear()
	span := end.Sub(start)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Microsecond).UTC()
	}
	sortTimes(times)
	out := make([]*genCase, n)
	for i, t := range times {
		out[i] = p.drawCase(rng, y, t, counters)
	}
	return out
}

type counterKey struct {
	owner int64
	typ   domain.CaseType
	year  int
}

func (p *province) drawCase(rng *rand.Rand, y int, created time.Time, counters map[counterKey]int) *genCase {
	c := &genCase{year: y, created: created}
	switch r := rng.IntN(100); {
	case r < 88:
		c.typ = domain.CaseSchool
		c.target = p.schools[rng.IntN(len(p.schools))]
		c.owner = c.target.dist
		if rng.IntN(10) < 3 {
			c.owner = c.target.city
		}
	case r < 95:
		c.typ = domain.CaseGovernment
		c.target = p.districts[rng.IntN(len(p.districts))]
		c.owner = c.target.city
	default:
		c.typ = domain.CaseMonitoring
		c.target = p.schools[rng.IntN(len(p.schools))]
		if rng.IntN(2) == 0 {
			c.target = c.target.dist
		}
		c.owner = c.target.city
	}
	switch r := rng.IntN(100); {
	case r < 50:
		c.kind = domain.KindRoutine
	case r < 70:
		c.kind = domain.KindSpecial
	case r < 80:
		c.kind = domain.KindComprehensive
	case r < 95:
		c.kind = domain.KindRandom
	default:
		c.kind = domain.KindFollowup
	}
	k := counterKey{c.owner.id, c.typ, y}
	counters[k]++
	c.seq = counters[k]
	c.number = domain.FormatCaseNumber(c.owner.domainOrg(), c.typ, y, c.seq)
	c.title = fmt.Sprintf("%s%d年%s%s", c.target.name, y, topics[rng.IntN(len(topics))], kindWords[c.kind])

	sup := c.owner.supervisors
	first := rng.IntN(len(sup))
	c.inspectors = []int64{sup[first]}
	if m := rng.IntN(3); m > 0 && len(sup) > 2 {
		c.inspectors = append(c.inspectors, sup[(first+1+rng.IntN(len(sup)-2))%len(sup)])
	}
	lead := c.inspectors[0]
	c.createdBy = lead
	targetUser := c.target.school
	if c.target.kind == domain.OrgDistrict {
		targetUser = c.target.office
	}

	age := p.asOf.Sub(created).Hours() / 24
	c.status = pickStatus(rng, age)
	final := c.status
	cancelled := final == domain.StatusCancelled
	reach := stage[final]
	if cancelled {
		reach = rng.IntN(2) // cancelled while planned or inspecting
	}
	// Findings are recorded while inspecting; a case being rectified has at least one.
	nf := 0
	if reach >= 1 {
		nf = rng.IntN(9)
		if (final == domain.StatusRectifying || final == domain.StatusVerifying) && nf == 0 {
			nf = 1 + rng.IntN(4)
		}
	}
	// Steps happen in order, squeezed to fit before asOf.
	gaps := []float64{3, 4, 7, 3, 25, 7, 5} // days: start, preliminary, review, issue, rectification, recheck, cancel
	budget := p.asOf.Sub(created).Hours()/24 - 0.01
	need := 0.0
	for i := 0; i < min(reach+1, len(gaps)); i++ {
		need += gaps[i]
	}
	squeeze := 1.0
	if need > budget {
		squeeze = budget / need
	}
	t := created
	next := func(i int) time.Time {
		d := gaps[i] * squeeze * (0.5 + rng.Float64())
		t = t.Add(time.Duration(d * 0.66 * float64(24*time.Hour))).Truncate(time.Microsecond)
		return t
	}
	ev := func(a domain.Action, by int64, at time.Time, detail string) {
		c.events = append(c.events, event{action: string(a.Op()), actor: by, at: at, detail: detail})
	}
	c.events = append(c.events, event{action: string(domain.OpOpenCase), actor: lead, at: created})
	if reach == 0 && !cancelled {
		d := domain.DateOf(created).AddDays(5 + rng.IntN(20))
		c.plannedOn = string(d)
	}
	if reach >= 1 {
		s := next(0)
		c.started = &s
		ev(domain.ActStart, lead, s, "")
	}
	director := c.owner.director
	// Findings: severity decides the due date once issued.
	for range nf {
		cat := categories[rng.IntN(len(categories))]
		titles := findingTitles[cat]
		sev := "minor"
		switch r := rng.IntN(10); {
		case r == 0:
			sev = "critical"
		case r < 4:
			sev = "major"
		}
		c.findings = append(c.findings, genFinding{title: titles[rng.IntN(len(titles))],
			description: "督导组现场查看发现，" + c.target.name + "在" + cat + "方面存在不足，需限期整改。",
			severity:    sev, category: cat, status: domain.FindingOpen})
	}
	routineShortcut := c.kind == domain.KindRoutine && reach >= 4 && rng.IntN(5) > 0
	if reach >= 2 && !routineShortcut {
		pt := next(1)
		c.preliminary = &pt
		dl := domain.DateOf(pt).AddDays(8).Time().UTC()
		c.objectionDeadline = &dl
		ev(domain.ActSubmitPreliminary, lead, pt, "")
		if rng.IntN(2) == 0 {
			c.acknowledged = true
			ev(domain.ActAcknowledge, targetUser, pt.Add(time.Duration(rng.IntN(48))*time.Hour/2), "")
		}
		if nf > 0 && rng.IntN(50) == 0 {
			o := &genObjection{findingIdx: rng.IntN(nf), text: "该问题已在督导前完成整改，申请撤回。", filedBy: targetUser,
				filedAt: pt.Add(20 * time.Hour)}
			if reach >= 3 {
				o.ruledBy, o.ruledAt, o.upheld = director, pt.Add(40*time.Hour), rng.IntN(3) == 0
			}
			c.objection = o
		}
	}
	if reach >= 3 && !routineShortcut {
		rt := next(2)
		c.reviewBy = lead
		ev(domain.ActSubmitForReview, lead, rt, "")
	}
	if cancelled {
		ct := next(6)
		c.cancelReason = "督导计划调整，案件撤销。"
		ev(domain.ActCancel, director, ct, c.cancelReason)
		c.closeFindings(domain.FindingOpen)
		return c
	}
	if reach < 4 {
		return c
	}
	it := next(3)
	c.issued = &it
	c.issuedBy = director
	if routineShortcut {
		c.issuedBy = lead
	}
	if c.objection != nil && c.objection.upheld {
		c.findings[c.objection.findingIdx].status = domain.FindingWithdrawn
	}
	outstanding := 0
	for i := range c.findings {
		f := &c.findings[i]
		if f.status == domain.FindingWithdrawn {
			continue
		}
		if rng.IntN(40) == 0 && final == domain.StatusClosed {
			f.status = domain.FindingWithdrawn
			continue
		}
		days := map[string]int{"critical": 7, "major": 30, "minor": 30}[f.severity]
		f.dueOn = string(domain.DateOf(it).AddDays(days))
		outstanding++
	}
	ev(domain.ActIssue, c.issuedBy, it, "")
	if outstanding == 0 {
		c.status = domain.StatusClosed
		c.closed = &it
		return c
	}
	rectifier := targetUser
	recentYears := p.asOf.Sub(created) < 2*365*24*time.Hour
	measures := reach >= 5 && recentYears || reach == 4 && rng.IntN(2) == 0
	for i := range c.findings {
		if c.findings[i].status != domain.FindingWithdrawn {
			c.findings[i].measure = measures && c.findings[i].status == domain.FindingOpen
		}
	}
	if reach == 4 {
		// A tenth of those still rectifying failed a recheck once.
		if rng.IntN(10) == 0 {
			st, rt := next(4), next(5)
			c.rectifiedBy = rectifier
			ev(domain.ActSubmitRectification, rectifier, st, "")
			rechecker := c.rechecker(rng)
			for i := range c.findings {
				f := &c.findings[i]
				if f.status == domain.FindingOpen {
					f.status = domain.FindingFailed
					f.dueOn = string(domain.DateOf(rt).AddDays(15))
					f.rechecks = append(f.rechecks, genRecheck{round: 1, passed: false, by: rechecker, at: rt, newDue: f.dueOn})
					break
				}
			}
			c.recheckFailures = 1
			ev(domain.ActRecheck, rechecker, rt, "复查未通过，退回整改。")
		}
		return c
	}
	st := next(4)
	c.rectifiedBy = rectifier
	ev(domain.ActSubmitRectification, rectifier, st, "")
	if reach == 5 {
		c.closeFindings(domain.FindingSubmitted)
		return c
	}
	rechecker := c.rechecker(rng)
	ct := next(5)
	// A twentieth of the findings fail their first recheck, a third of the way to closing.
	failedAt, resubmitted := st.Add(ct.Sub(st)/3).Truncate(time.Microsecond), st.Add(ct.Sub(st)*2/3).Truncate(time.Microsecond)
	for i := range c.findings {
		f := &c.findings[i]
		if f.status == domain.FindingWithdrawn {
			continue
		}
		if rng.IntN(20) == 0 { // failed once, passed the second time
			c.recheckFailures = 1
			f.rechecks = append(f.rechecks, genRecheck{round: 1, passed: false, by: rechecker, at: failedAt, newDue: f.dueOn})
			f.rechecks = append(f.rechecks, genRecheck{round: 2, passed: true, by: rechecker, at: ct})
		} else {
			f.rechecks = append(f.rechecks, genRecheck{round: 1, passed: true, by: rechecker, at: ct})
		}
		f.status = domain.FindingPassed
	}
	if c.recheckFailures > 0 {
		ev(domain.ActRecheck, rechecker, failedAt, "复查未通过，退回整改。")
		ev(domain.ActSubmitRectification, rectifier, resubmitted, "")
	}
	ev(domain.ActRecheck, rechecker, ct, "")
	c.closed = &ct
	return c
}

// rechecker is a supervisor of the owner office who did not inspect the case (independent recheck, R10).
func (c *genCase) rechecker(rng *rand.Rand) int64 {
	sup := c.owner.supervisors
	for range 8 {
		s := sup[rng.IntN(len(sup))]
		if s != c.inspectors[0] && (len(c.inspectors) < 2 || s != c.inspectors[1]) {
			return s
		}
	}
	return c.owner.director
}

// closeFindings sets every finding not withdrawn to s.
func (c *genCase) closeFindings(s domain.FindingStatus) {
	for i := range c.findings {
		if c.findings[i].status != domain.FindingWithdrawn {
			c.findings[i].status = s
		}
	}
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }
