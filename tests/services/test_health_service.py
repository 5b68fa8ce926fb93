"""Health service (DOMAIN.md §4, §6): rule presets, the due list, checks and
follow-ups, and the confidential mental-health records."""
from __future__ import annotations

import json
from datetime import date

import pytest

from carecenter.db.models import AuditLog, HealthCheck, HealthCycleRuleRow, HealthFinding, MentalRecord
from carecenter.domain.errors import DomainError, ValidationError
from carecenter.services import health, roster
from carecenter.services.health import CheckInput, FindingInput, MentalInput
from tests.conftest import cadre_record, make_id_number

TODAY = date(2025, 6, 1)
YEAR = 2025

_seq = iter(range(1, 999))


def add_cadre(unit_id: int, name: str, birth: str, sex: str, **over) -> int:
    """A cadre whose ID number carries the birth date and sex (odd sequence = male)."""
    n = next(_seq)
    seq = n * 2 + (1 if sex == "男" else 0)
    data = cadre_record(unit_id, name=name, id_number=make_id_number(birth, seq), phone="",
                        emergency_phone="", **over)
    return roster.save_cadre(data).id


def add_check(cadre_id: int, day: date, package: str = "常规体检", findings=(), **over) -> int:
    inp = CheckInput(cadre_id, day, institution="县人民医院体检中心", package=package,
                     items="血常规、心电图", conclusion=over.pop("conclusion", "未见明显异常"),
                     findings=list(findings), **over)
    return health.save_check(inp, today=TODAY)


def counts() -> tuple[int, ...]:
    return (HealthCheck.select().count(), HealthFinding.select().count(), MentalRecord.select().count(),
            AuditLog.select().count())


# ---------------------------------------------------------------- presets and rules

def test_seed_presets_and_replace(store):
    assert health.seed_rules_if_empty("national") == 2
    assert health.seed_rules_if_empty("zhejiang") == 0          # only into an empty table
    assert health.current_preset() == "national"
    assert sorted(r.package for r in health.all_rules()) == ["两癌筛查", "常规体检"]
    national_ids = {r["id"] for r in health.rule_rows()}

    assert health.replace_with_preset("zhejiang") == 3
    assert health.current_preset() == "zhejiang"
    rows = health.rule_rows()
    assert len(rows) == 3 and {r["preset"] for r in rows} == {"zhejiang"}
    assert {(r.package, r.age_min, r.age_max, r.interval_years) for r in health.all_rules()} == {
        ("常规体检", None, 44, 2), ("常规体检", 45, None, 1), ("两癌筛查", 35, 64, 3)}
    # the national rows are kept, archived, and the change is on the audit trail
    old = HealthCycleRuleRow.select().where(HealthCycleRuleRow.id.in_(list(national_ids)))
    assert all(r.archived for r in old) and old.count() == 2
    archived = AuditLog.select().where((AuditLog.table == "health_cycle_rule") & (AuditLog.action == "archive"))
    assert archived.count() == 2


def test_replace_with_unknown_preset_changes_nothing(store):
    health.seed_rules_if_empty()
    before = (health.rule_rows(), AuditLog.select().count())
    with pytest.raises(DomainError):
        health.replace_with_preset("atlantis")
    assert (health.rule_rows(), AuditLog.select().count()) == before


VALID_RULE = {"name": "常规体检（50岁及以上，每年）", "sex": "不限", "age_min": "50", "age_max": "",
              "interval_years": 1, "package": "常规体检", "effective_from": "2026-01-01"}


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"package": " "}, "package"),
    ({"sex": "其他"}, "sex"),
    ({"age_min": "五十"}, "age_min"),
    ({"interval_years": ""}, "interval_years"),
    ({"interval_years": 0}, "interval_years"),                 # domain: at least 1 year
    ({"age_min": 60, "age_max": 50}, "age_max"),               # domain: band upside down
    ({"effective_from": "2026-02-30"}, "effective_from"),
    ({"effective_from": ""}, "effective_from"),
])
def test_save_rule_refuses_bad_rows_naming_the_field(store, change, field):
    health.seed_rules_if_empty()
    before = (health.rule_rows(), AuditLog.select().count())
    with pytest.raises(ValidationError) as exc:
        health.save_rule({**VALID_RULE, **change})
    assert field in exc.value.by_field()
    assert all("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message[:1])   # a Chinese sentence
    assert (health.rule_rows(), AuditLog.select().count()) == before


def test_save_edit_and_archive_rule_invalidates_cache(store):
    health.seed_rules_if_empty()
    assert len(health.all_rules()) == 2
    rule_id = health.save_rule(VALID_RULE)
    assert len(health.all_rules()) == 3
    with pytest.raises(ValidationError) as exc:                 # same name and date twice
        health.save_rule(VALID_RULE)
    assert "effective_from" in exc.value.by_field()
    health.save_rule({**VALID_RULE, "interval_years": 2}, rule_id)
    assert [r.interval_years for r in health.all_rules() if r.name == VALID_RULE["name"]] == [2]
    health.archive_rule(rule_id)
    assert len(health.all_rules()) == 2
    actions = [a.action for a in AuditLog.select().where(AuditLog.table == "health_cycle_rule")
               .order_by(AuditLog.id)]
    assert actions[-3:] == ["create", "update", "archive"]


@pytest.mark.parametrize("scale, score, label", [
    ("PHQ-9", 4, "无或极轻"), ("PHQ-9", 10, "中度"), ("PHQ-9", 27, "重度"),
    ("GAD-7", 15, "重度"), ("SCL-90", 160, "筛查阳性（建议进一步评估）"), ("SCL-90", 120, "筛查阴性"),
])
def test_score_label(scale, score, label):
    assert health.score_label(scale, score) == label


# ---------------------------------------------------------------- due list

@pytest.fixture
def zhejiang(store):
    health.seed_rules_if_empty("zhejiang")


def due_map(**kw) -> dict[tuple[str, str], tuple]:
    return {(r.name, r.package): (r.status, r.due_year, r.last_date)
            for r in health.due_list(YEAR, TODAY, status="全部", **kw)}


# Zhejiang preset (DOMAIN.md §4 example): 常规体检 every 2 years under 45, yearly from 45;
# 两癌筛查 every 3 years for women 35–64.  Age = age reached in the plan year.
def test_due_by_age_band_and_sex(zhejiang, unit):
    m44 = add_cadre(unit, "周四四", "19810707", "男")       # 44 in 2025: biennial
    m45 = add_cadre(unit, "周四五", "19800707", "男")       # 45 in 2025: yearly
    add_cadre(unit, "吴三四", "19910101", "女")             # 34: too young for 两癌筛查
    add_cadre(unit, "吴三五", "19901231", "女")             # 35
    add_cadre(unit, "吴六四", "19610101", "女")             # 64
    add_cadre(unit, "吴六五", "19600101", "女")             # 65: too old
    add_cadre(unit, "郑从未", "19850505", "男")             # never checked
    m_old = add_cadre(unit, "郑两轮", "19700505", "男")     # 55, last check two cycles ago
    for cid in (m44, m45):
        add_check(cid, date(2024, 4, 1))
    add_check(m_old, date(2023, 4, 1))

    got = due_map()
    assert got[("周四四", "常规体检")] == ("已完成", 2026, date(2024, 4, 1))
    assert got[("周四五", "常规体检")] == ("本年应检", 2025, date(2024, 4, 1))
    assert got[("郑两轮", "常规体检")] == ("逾期", 2024, date(2023, 4, 1))
    assert got[("郑从未", "常规体检")] == ("本年应检", 2025, None)
    screened = {name for name, package in got if package == "两癌筛查"}
    assert screened == {"吴三五", "吴六四"}                # women 35–64 only; never a man
    assert all(status == "本年应检" for (n, p), (status, *_r) in got.items() if p == "两癌筛查")


def test_due_list_default_shows_only_what_needs_doing_overdue_first(zhejiang, unit):
    done = add_cadre(unit, "钱已检", "19800101", "男")
    add_check(done, date(2025, 3, 1))
    late = add_cadre(unit, "钱逾期", "19800101", "男")
    add_check(late, date(2022, 3, 1))
    add_cadre(unit, "钱应检", "19800101", "男")
    rows = health.due_list(YEAR, TODAY)
    assert [(r.name, r.status) for r in rows] == [("钱逾期", "逾期"), ("钱应检", "本年应检")]
    assert [r.name for r in health.due_list(YEAR, TODAY, status="已完成")] == ["钱已检"]
    with pytest.raises(DomainError):
        health.due_list(YEAR, TODAY, status="随便")


def test_due_list_only_serving_cadres_and_filters(zhejiang, unit):
    other = roster.save_unit({"name": "城关镇财政所", "kind": "站所", "township": "城关镇",
                              "township_category": "镇"}).id
    add_cadre(unit, "冯在职", "19800101", "男")
    add_cadre(unit, "冯驻村", "19800101", "男", employment_status="驻村")
    add_cadre(unit, "冯退休", "19640101", "男", employment_status="退休")
    add_cadre(unit, "冯调离", "19800101", "男", employment_status="调离")
    add_cadre(other, "褚财政", "19800101", "男")
    archived = add_cadre(other, "褚归档", "19800101", "男")
    roster.set_cadre_archived(archived, True)
    assert {r.name for r in health.due_list(YEAR, TODAY)} == {"冯在职", "冯驻村", "褚财政"}
    assert {r.name for r in health.due_list(YEAR, TODAY, unit_id=other)} == {"褚财政"}
    assert {r.name for r in health.due_list(YEAR, TODAY, text="冯")} == {"冯在职", "冯驻村"}
    assert {r.unit for r in health.due_list(YEAR, TODAY, text="褚")} == {"城关镇财政所"}


def test_due_list_sees_new_check_at_once(zhejiang, unit):
    cid = add_cadre(unit, "蒋新检", "19800101", "男")
    assert [r.status for r in health.due_list(YEAR, TODAY)] == ["本年应检"]
    check_id = add_check(cid, date(2025, 5, 1))
    assert health.due_list(YEAR, TODAY) == []                       # the cached pass is not stale
    health.archive_check(check_id)
    assert [r.status for r in health.due_list(YEAR, TODAY)] == ["本年应检"]


def test_past_year_ignores_later_checks(zhejiang, unit):
    cid = add_cadre(unit, "沈去年", "19800101", "男")
    add_check(cid, date(2025, 2, 1))
    assert [(r.status, r.due_year) for r in health.due_list(2024, TODAY)] == [("逾期", 2024)]
    assert health.due_summary(YEAR, TODAY)["常规体检"]["已完成"] == 1


# ---------------------------------------------------------------- checks and follow-ups

def bp_finding(**over) -> FindingInput:
    base = dict(item="血压", description="血压偏高 150/95 mmHg", level="B", notified_date=date(2025, 1, 20),
                referral="心内科门诊", recheck_due=date(2025, 3, 1))
    base.update(over)
    return FindingInput(**base)


def test_abnormal_finding_is_followed_up_until_closed(zhejiang, unit):
    cid = add_cadre(unit, "韩血压", "19800101", "男")
    check_id = add_check(cid, date(2025, 1, 15), findings=[bp_finding()], conclusion="血压偏高，建议复查")
    (row,) = health.open_followups(date(2025, 2, 1))
    assert (row.name, row.item, row.level, row.status, row.check_id) == ("韩血压", "血压", "B", "待复查", check_id)
    (row,) = health.open_followups(date(2025, 3, 2))                 # re-check date has passed
    assert row.status == "复查逾期"
    assert health.open_followups(date(2025, 2, 1), overdue_only=True) == []
    assert health.check_list(YEAR)[0][-1] == 1                     # one open finding on the record

    with pytest.raises(ValidationError) as exc:                     # closing needs an outcome
        health.update_finding(row.finding_id, closed=True, closed_date=date(2025, 3, 5), today=TODAY)
    assert "outcome" in exc.value.by_field()
    health.update_finding(row.finding_id, closed=True, closed_date=date(2025, 3, 5), outcome="复查正常",
                          today=TODAY)
    assert health.open_followups(TODAY) == []
    assert health.check_list(YEAR)[0][-1] == 0
    finding = health.get_check(check_id)["findings"][0]
    assert (finding["closed"], finding["outcome"], finding["status"]) == (True, "复查正常", "已关闭")
    assert finding["notified_date"] == date(2025, 1, 20)             # kept when not passed
    health.update_finding(row.finding_id, closed=False, today=TODAY)    # reopened: due again
    assert [r.status for r in health.open_followups(TODAY)] == ["复查逾期"]
    assert health.get_check(check_id)["findings"][0]["closed_date"] is None


def test_followups_overdue_first_then_a_before_b(zhejiang, unit):
    cid = add_cadre(unit, "杨多项", "19800101", "男")
    add_check(cid, date(2025, 1, 15), findings=[
        bp_finding(item="血脂", recheck_due=date(2025, 9, 1)),
        bp_finding(item="心电图", level="A", recheck_due=date(2025, 8, 1)),
        bp_finding(item="血糖", recheck_due=date(2025, 4, 1)),
        bp_finding(item="肺部CT", level="A", recheck_due=date(2025, 5, 1)),
    ])
    rows = health.open_followups(TODAY)
    assert [(r.item, r.status) for r in rows] == [
        ("肺部CT", "复查逾期"), ("血糖", "复查逾期"), ("心电图", "待复查"), ("血脂", "待复查")]
    assert [r.item for r in health.open_followups(TODAY, text="杨")] == [r.item for r in rows]
    assert health.open_followups(TODAY, text="无此人") == []


def test_edit_check_archives_removed_findings(zhejiang, unit):
    cid = add_cadre(unit, "朱编辑", "19800101", "男")
    check_id = add_check(cid, date(2025, 1, 15), findings=[bp_finding(), bp_finding(item="血糖")])
    inp = health.check_input(check_id)
    kept = [f for f in inp.findings if f.item == "血糖"]
    kept[0].referral = "内分泌科"
    inp.findings = kept
    inp.conclusion = "血糖偏高"
    assert health.save_check(inp, check_id, today=TODAY) == check_id
    data = health.get_check(check_id)
    assert [(f["item"], f["referral"]) for f in data["findings"]] == [("血糖", "内分泌科")]
    removed = HealthFinding.get(HealthFinding.item == "血压")
    assert removed.archived                                           # kept, not deleted
    actions = {(a.table, a.action) for a in AuditLog.select()}
    assert {("health_check", "update"), ("health_finding", "update"), ("health_finding", "archive")} <= actions
    assert [r.item for r in health.open_followups(TODAY)] == ["血糖"]


@pytest.mark.parametrize("change, field", [
    ({"cadre_id": None}, "cadre_id"),
    ({"cadre_id": 9999}, "cadre_id"),
    ({"check_date": None}, "check_date"),
    ({"check_date": date(2025, 6, 2)}, "check_date"),                  # after today
    ({"package": "  "}, "package"),
    ({"findings": [bp_finding(item="")]}, "findings"),
    ({"findings": [bp_finding(level="C")]}, "findings"),
    ({"findings": [bp_finding(recheck_due=date(2025, 1, 1))]}, "findings"),   # before the check
    ({"findings": [bp_finding(closed=True, closed_date=date(2025, 2, 1))]}, "findings"),  # no outcome
    ({"findings": [bp_finding(closed=True, outcome="复查正常")]}, "findings"),  # no closed date
    ({"findings": [bp_finding(), bp_finding(level="")]}, "findings"),  # one bad line spoils the save
])
def test_invalid_check_changes_nothing(zhejiang, unit, change, field):
    cid = add_cadre(unit, "秦无效", "19800101", "男")
    base = dict(cadre_id=cid, check_date=date(2025, 1, 15), institution="县医院", package="常规体检",
                findings=[bp_finding()])
    inp = CheckInput(**{**base, **change})
    problems = health.check_problems(inp, today=TODAY)
    assert field in {p.field for p in problems}
    before = counts()
    with pytest.raises(ValidationError) as exc:
        health.save_check(inp, today=TODAY)
    assert field in exc.value.by_field()
    assert counts() == before


def test_check_problems_accepts_free_text_package(zhejiang, unit):
    cid = add_cadre(unit, "尤骨密度", "19800101", "男")
    assert health.check_problems(CheckInput(cid, date(2025, 1, 15), package="骨密度检测"), today=TODAY) == []
    assert "常规体检" in health.packages()


def test_check_list_filters_and_cadre_health(zhejiang, unit):
    a = add_cadre(unit, "许甲", "19800101", "女")
    b = add_cadre(unit, "许乙", "19900101", "男")
    add_check(a, date(2024, 5, 1))
    add_check(a, date(2025, 5, 1), findings=[bp_finding(notified_date=None, recheck_due=date(2025, 8, 1))])
    add_check(a, date(2025, 5, 2), package="两癌筛查")
    add_check(b, date(2025, 4, 1))
    assert health.check_count() == 4
    rows = health.check_list(YEAR)
    assert [(r[2], r[3], r[5], r[8]) for r in rows] == [
        (date(2025, 5, 2), "许甲", "两癌筛查", 0), (date(2025, 5, 1), "许甲", "常规体检", 1),
        (date(2025, 4, 1), "许乙", "常规体检", 0)]
    assert rows[0][4] == "城关镇党政办"
    assert len(health.check_list(package="常规体检")) == 3
    assert [r[3] for r in health.check_list(YEAR, text="许乙")] == ["许乙"]
    assert len(health.check_list(limit=2)) == 2 and len(health.check_list(offset=3)) == 1

    page = health.cadre_health(a, TODAY)
    assert [c["check_date"] for c in page["checks"]] == [date(2025, 5, 2), date(2025, 5, 1), date(2024, 5, 1)]
    assert page["checks"][1]["findings"][0]["status"] == "待复查"
    assert {d["package"]: d["status"] for d in page["due"]} == {"常规体检": "已完成", "两癌筛查": "已完成"}
    assert page["open_findings"] == 1


# ---------------------------------------------------------------- mental health (confidential)

SECRET = "工作压力较大，睡眠欠佳，独白内容保密"


def mental(cid: int, **over) -> MentalInput:
    base = dict(cadre_id=cid, kind="评估", record_date=date(2025, 3, 1), scale="PHQ-9", score=12,
                counsellor="县心理服务中心", summary=SECRET, consent_date=date(2025, 3, 1),
                consent_scope="心理健康评估及结果记录")
    base.update(over)
    return MentalInput(**base)


@pytest.mark.parametrize("change, field", [
    ({"consent_date": None}, "consent_date"),
    ({"consent_scope": " "}, "consent_scope"),
    ({"consent_date": date(2025, 3, 2)}, "consent_date"),     # consent after the record
    ({"score": 28}, "score"),                                  # PHQ-9 is 0–27
    ({"scale": ""}, "scale"),
    ({"scale": "MMPI"}, "scale"),
    ({"kind": "闲聊"}, "kind"),
    ({"kind": "咨询", "scale": "", "score": None, "summary": ""}, "summary"),
])
def test_mental_record_needs_consent_and_a_valid_score(zhejiang, unit, change, field):
    cid = add_cadre(unit, "何保密", "19800101", "男")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        health.save_mental(mental(cid, **change), today=TODAY)
    assert field in exc.value.by_field()
    assert counts() == before


def test_mental_records_are_confidential(zhejiang, unit):
    cid = add_cadre(unit, "吕晓芳", "19800101", "女")
    add_check(cid, date(2025, 5, 1), findings=[bp_finding(notified_date=None, recheck_due=date(2025, 5, 2))])
    record_id = health.save_mental(mental(cid), today=TODAY)
    health.save_mental(mental(cid, kind="咨询", scale="", score=None, record_date=date(2025, 3, 15)), today=TODAY)
    stored = MentalRecord.get_by_id(record_id)
    assert (stored.score, stored.band) == (12, "中度")

    # never in lists, exports or the per-person page: only a bare count
    outputs = [health.check_list(), health.due_list(YEAR, TODAY, status="全部"), health.open_followups(TODAY),
               health.cadre_health(cid, TODAY)]
    text = repr(outputs)
    for secret in (SECRET, "中度", "PHQ-9", "心理"):
        assert secret not in text
    assert health.mental_count(cid) == 2

    # the audit trail names the person, never the content
    audit_text = " ".join(a.summary + a.changes for a in AuditLog.select())
    assert SECRET not in audit_text and "中度" not in audit_text

    with pytest.raises(DomainError) as exc:
        health.mental_records(cid, confidential_ok=False, purpose="随访")
    assert exc.value.code == "confidential"
    assert exc.value.message == "心理健康记录属于敏感个人信息，查看前请确认"
    assert not AuditLog.select().where(AuditLog.action == "view").exists()

    rows = health.mental_records(cid, confidential_ok=True, purpose="心理咨询随访")
    assert [(r["kind"], r["band"]) for r in rows] == [("咨询", ""), ("评估", "中度")]
    (view,) = AuditLog.select().where(AuditLog.action == "view")
    assert view.table == "mental_record" and "心理咨询随访" in view.summary and "吕晓芳" in view.summary

    # edits are audited with the field names only
    health.save_mental(mental(cid, score=20), record_id, today=TODAY)
    assert MentalRecord.get_by_id(record_id).band == "重度"
    update = AuditLog.select().where((AuditLog.table == "mental_record") & (AuditLog.action == "update")).get()
    assert set(json.loads(update.changes)) == {"score", "band"} and "20" not in update.changes
