"""Demo history of leave and health checks (issue 3), invented for demonstration.

Built fast enough for the benchmark (50,000 cadres × 10 years): leave spans are
laid on a precomputed list of the year's working days, so the counted days are
right by construction, and rows go in with executemany in one transaction.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

from ..db.bulk import bulk_insert
from ..db.database import db
from ..db.models import new_uuid, now
from ..domain import leave as lv
from . import audit, health, leave
from ..security.access import exempt

INSTITUTIONS = ["县人民医院体检中心", "县中医院健康管理中心", "市第二人民医院体检科", "乡镇卫生院"]
FINDINGS = [
    ("血压", "血压偏高 148/95 mmHg", "B", "心内科门诊"),
    ("血脂", "总胆固醇偏高", "B", "内分泌科"),
    ("空腹血糖", "空腹血糖 7.8 mmol/L", "B", "内分泌科"),
    ("甲状腺彩超", "甲状腺结节 TI-RADS 3 类", "B", "甲乳外科"),
    ("肺部CT", "右肺磨玻璃结节 8 mm", "B", "胸外科"),
    ("心电图", "心电图 ST 段改变", "A", "心内科急诊"),
    ("肝功能", "转氨酶升高", "B", "消化内科"),
    ("乳腺彩超", "乳腺结节 BI-RADS 4A 类", "A", "甲乳外科"),
]
OUTCOMES = ["复查正常", "已规范治疗，指标好转", "定期随访，无明显变化", "已手术，病理良性"]
APPROVERS = ["党委书记", "镇长", "分管领导", "办公室主任"]
REASONS = {
    lv.ANNUAL: ["回老家探亲", "陪家人出游", "休整", "处理家事"],
    lv.SICK: ["感冒发热", "腰椎间盘突出", "术后休养", "急性肠胃炎"],
    lv.PERSONAL: ["处理家庭事务", "子女入学", "办理房产手续"],
    lv.HOME_VISIT: ["探望父母", "探望配偶"],
    lv.RECUPERATION: ["县总工会组织疗休养"],
    lv.MARRIAGE: ["结婚"],
    lv.CHILDCARE: ["照顾幼儿"],
}


def _workdays(year: int, today: date) -> list[date]:
    cal = leave.calendar()
    out = []
    d = date(year, 1, 1)
    end = min(date(year, 12, 31), today - timedelta(days=1))
    while d <= end:
        try:
            if cal.is_workday(d):
                out.append(d)
        except Exception:  # year unknown to the calendar: weekdays only
            if d.weekday() < 5:
                out.append(d)
        d += timedelta(days=1)
    return out


@exempt('demo/benchmark data generation (system actor)')
def generate_history(years: int = 4, seed: int = 7, today: date | None = None) -> dict[str, int]:
    """Leave and health history for every cadre over the last ``years`` years (incl. this one)."""
    rng = random.Random(seed)
    today = today or date.today()
    leave.seed_rules_if_empty()
    health.seed_rules_if_empty()
    stamp = now().strftime("%Y-%m-%d %H:%M:%S")
    cadres = db.execute_sql(
        "SELECT id, sex, birth_date, work_start_date, marital_status, employment_status FROM cadre "
        "WHERE archived = 0").fetchall()
    first_year = today.year - years + 1
    leave_rows, checks, findings, mental = [], [], [], []
    for year in range(first_year, today.year + 1):
        wd = _workdays(year, today)
        if len(wd) < 30:
            continue
        for cid, sex, birth, work_start, marital, status in cadres:
            if status in ("调离", "退休", "离休"):
                continue
            ws = date.fromisoformat(work_start) if isinstance(work_start, str) else work_start
            if ws is None or ws.year > year:
                continue
            used: list[tuple[int, int]] = []

            def place(n: int) -> tuple[date, date] | None:
                for _ in range(6):
                    i = rng.randrange(0, max(1, len(wd) - n))
                    j = i + n - 1
                    if j < len(wd) and all(j < a - 1 or i > b + 1 for a, b in used):
                        used.append((i, j))
                        return wd[i], wd[j]
                return None

            # the tier the rules grant for the year (month-after rule), so the demo never overdraws
            service = lv.annual_tier_years(ws, year)
            entitled = 15 if service >= 20 else 10 if service >= 10 else 5 if service >= 1 else 0
            # annual leave: most rest, some don't (so "who has not rested" shows real names)
            share = rng.choices([0, 0.4, 0.6, 1.0], [2, 2, 3, 5])[0] if year < today.year else \
                rng.choices([0, 0.4, 0.6], [4, 3, 3])[0]
            remaining = int(entitled * share)
            while remaining > 0:
                n = min(remaining, rng.choice([1, 2, 3, 5]))
                span = place(n)
                if not span:
                    break
                leave_rows.append(_leave(cid, lv.ANNUAL, span, n, rng, stamp, today))
                remaining -= n
            if rng.random() < 0.12:
                n = rng.choice([1, 2, 3, 5, 8])
                span = place(n)
                if span:
                    leave_rows.append(_leave(cid, lv.SICK, span, _days(lv.SICK, span, n), rng, stamp, today))
            if rng.random() < 0.08:
                n = rng.choice([1, 2])
                span = place(n)
                if span:
                    leave_rows.append(_leave(cid, lv.PERSONAL, span, _days(lv.PERSONAL, span, n), rng, stamp,
                                             today))
            if rng.random() < 0.03:
                span = place(4)
                if span:
                    # recuperation is counted in calendar days
                    leave_rows.append(_leave(cid, lv.RECUPERATION, span, _days(lv.RECUPERATION, span, 4), rng,
                                             stamp, today, {"out_of_province": False}))
            # health checks
            b = date.fromisoformat(birth) if isinstance(birth, str) else birth
            age = year - b.year
            yearly = age >= 45 or rng.random() < 0.55
            if yearly and rng.random() < (0.9 if year < today.year else 0.6):
                day = wd[rng.randrange(len(wd) // 4, len(wd) * 9 // 10)]
                check_id = len(checks) + 1
                checks.append(dict(id=check_id, cadre_id=cid, check_date=day,
                                   institution=rng.choice(INSTITUTIONS), package="常规体检",
                                   items="一般检查、内科、外科、血常规、尿常规、肝肾功能、血脂、血糖、心电图、腹部彩超、胸部CT",
                                   conclusion="", notes=""))
                found = [f for f in FINDINGS if rng.random() < (0.05 if age < 45 else 0.09)
                         and (f[0] != "乳腺彩超" or sex == "女")]
                checks[-1]["conclusion"] = "未见明显异常" if not found else "、".join(f[1] for f in found) + "，建议专科就诊"
                for item, desc, level, referral in found:
                    due = day + timedelta(days=30 if level == "A" else 90)
                    closed = due < today - timedelta(days=60) and rng.random() < 0.85
                    findings.append(dict(check_id=check_id, cadre_id=cid, item=item, description=desc, level=level,
                                         notified_date=day + timedelta(days=rng.randrange(3, 10)), referral=referral,
                                         recheck_due=due, outcome=rng.choice(OUTCOMES) if closed else "",
                                         closed=closed, closed_date=due + timedelta(days=rng.randrange(0, 30))
                                         if closed else None))
                if sex == "女" and 35 <= age <= 64 and rng.random() < 0.35:
                    checks.append(dict(id=len(checks) + 1, cadre_id=cid, check_date=day + timedelta(days=1),
                                       institution=rng.choice(INSTITUTIONS), package="两癌筛查",
                                       items="宫颈癌筛查（TCT+HPV）、乳腺彩超", conclusion="未见异常", notes=""))
            if rng.random() < 0.02:
                day = wd[rng.randrange(len(wd))]
                score = rng.choice([3, 6, 8, 11, 14])
                mental.append(dict(cadre_id=cid, kind="评估", record_date=day, scale="PHQ-9", score=score,
                                   band=health.score_label("PHQ-9", score), counsellor="县心理服务中心",
                                   summary="年度心理健康筛查", consent_date=day, consent_scope="心理健康评估及结果记录"))
                if score >= 10:
                    mental.append(dict(cadre_id=cid, kind="咨询", record_date=day + timedelta(days=14), scale="",
                                       score=None, band="", counsellor="县心理服务中心 心理咨询师",
                                       summary="工作压力较大，睡眠欠佳；已进行放松训练指导，约定一个月后随访",
                                       consent_date=day, consent_scope="心理咨询记录"))
    base = db.execute_sql("SELECT coalesce(max(id), 0) FROM health_check").fetchone()[0]
    for c in checks:
        c["id"] += base
    for f in findings:
        f["check_id"] += base
    with db.atomic():
        for rows, table in ((leave_rows, "leave_record"), (checks, "health_check"),
                            (findings, "health_finding"), (mental, "mental_record")):
            for r in rows:
                r.update(uuid=new_uuid(), created_at=stamp, updated_at=stamp, archived=False)
            bulk_insert(table, rows)
        audit.record("create", "demo", "demo", f"生成演示休假与体检记录：{len(leave_rows)} 条请假，{len(checks)} 次体检")
    leave._invalidate()
    return {"leave": len(leave_rows), "checks": len(checks), "findings": len(findings), "mental": len(mental)}


def _days(code: str, span: tuple[date, date], workdays: int) -> int:
    """Days the rule counts for a span laid on ``workdays`` consecutive working days:
    the working days themselves, or every calendar day for a calendar-day type (病假, 疗休养 …)."""
    if leave.rule_for(code, span[0]).count_mode == "calendar":
        return (span[1] - span[0]).days + 1
    return workdays


def _leave(cid, code, span, days, rng, stamp, today, details=None) -> dict:
    return dict(cadre_id=cid, type_code=code, start_date=span[0], end_date=span[1], start_half=False,
                end_half=False, days=str(days), travel_days="0", reason=rng.choice(REASONS[code]),
                approver=rng.choice(APPROVERS), status=lv.STATUS_CLOSED if span[1] < today else lv.STATUS_APPROVED,
                over_balance_reason="", details=json.dumps(details or {}, ensure_ascii=False), notes="")
