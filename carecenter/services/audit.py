"""Audit trail: every change, sensitive view, export, print and sign-in (DOMAIN.md §6, issue 10).

"Who" is the signed-in account (login name and display name), never an environment
variable.  Rows are appended to a hash chain (``security.auditchain``) inside the
caller's transaction, so the audit row of an export or print commits or rolls back
with the work it records.  Nothing in the application updates or deletes audit rows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

from ..db import database
from ..db.database import db
from ..db.models import AuditLog, now
from ..domain import roster as roster_rules
from ..security import access, auditchain
from ..security.access import exempt, requires

#: how the 审计日志 page names the actions
ACTION_NAMES = {
    "create": "新增", "update": "修改", "archive": "归档", "restore": "恢复", "view": "查看敏感信息",
    "export": "导出", "print": "打印", "import": "导入", "backup": "备份",
    "signin": "登录", "signin_failed": "登录失败", "lockout": "账户锁定", "signout": "退出登录",
    "lock": "锁屏", "unlock": "解锁", "password_change": "修改密码", "password_reset": "重置密码",
    "account": "账户变更", "role": "角色变更", "settings": "修改设置", "verify": "校验审计日志",
    "preview": "预览", "export_pdf": "导出PDF", "lock_month": "锁定月份",
    "exchange_key": "生成交换密钥", "exchange_pack": "生成报送包", "exchange_trust": "导入县级公钥",
    "county_init": "县级版初始化", "receive": "接收报送", "receive_refused": "拒收报送",
}
SYSTEM_WHO = "系统"

#: how the 审计日志 names the fields of a recorded change (the rest keep their own name)
FIELD_NAMES = {
    **roster_rules.UNIT_LABELS, **roster_rules.CADRE_LABELS, "filter": "筛选条件",
    "unit_id": "单位", "cadre_id": "干部", "family": "家庭成员", "archived": "归档",
    "type_code": "假别", "start_date": "开始日期", "end_date": "结束日期", "start_half": "下午开始",
    "end_half": "上午结束", "days": "天数", "travel_days": "路程假", "reason": "原因", "approver": "审批人",
    "status": "状态", "over_balance_reason": "超出说明", "check_date": "体检日期", "institution": "体检机构",
    "package": "体检项目", "conclusion": "总体结论", "level": "异常分级", "recheck_due": "复查日期",
    "outcome": "随访结果", "closed": "已关闭", "occasion": "慰问事由", "record_date": "日期",
    "money_fen": "慰问金", "goods": "物品", "goods_fen": "物品价值", "funding_source": "经费来源",
    "visitors": "走访人", "talk_date": "谈话日期", "talker": "谈话人", "trigger": "谈话事由", "gist": "谈话要点",
    "amount_fen": "金额", "generated_fen": "计算金额", "total_fen": "合计", "lines": "行数", "budget_fen": "预算",
    "month": "月份", "kind": "类型", "note": "说明", "login": "登录名", "display_name": "姓名", "roles": "角色",
    "unit_ids": "管理范围", "enabled": "启用", "permissions": "权限", "file": "文件", "confidential": "含敏感信息",
    "protected": "文件已加密", "rows": "行数", "taken_at": "备份时间", "safety_copy": "安全副本",
    "migrations": "结构升级", "audit_rows_carried": "并入的审计记录", "effective_from": "生效日期",
    "transferred_on": "调离乡镇日期", "retired_on": "离退休日期", "retirement_kind": "离退休类别",
    "sent_down_on": "上级派驻日期", "unit_name": "打印单位名称",
    "township_name": "乡镇名称", "township_code": "统计用区划代码", "fingerprint": "指纹", "period": "年度",
    "through": "数据截止日期", "package_id": "报送包编号",
}


@exempt("labels")
def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key)


@exempt("formatting")
def value_text(key: str, value: Any) -> str:
    """A recorded value as the clerk reads it: 空 for nothing, 元 for money in fen, 是/否."""
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("_fen") and isinstance(value, int):
        return f"{value / 100:,.2f} 元"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "空"
    return str(value)


@exempt("names who is acting; no data")
def current_user() -> str:
    """Who the audit names: the signed-in account, or 系统 for the program's own steps
    before anyone signs in (first-run presets)."""
    who = access.current()
    return who.who if who is not None else SYSTEM_WHO


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):  # day counts (2.5): kept exact, JSON-safe
        return int(value) if value == value.to_integral_value() else str(value.normalize())
    return value


@exempt("pure comparison")
def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for key, value in new.items():
        before = old.get(key)
        if _plain(before) != _plain(value):
            out[key] = [_plain(before), _plain(value)]
    return out


def _row(action: str, table: str, record_uuid: str, summary: str, changes: Any, cadre_uuid: str,
         at: str, user: str) -> tuple:
    text = changes if isinstance(changes, str) else json.dumps(changes or {}, ensure_ascii=False, default=str)
    if not cadre_uuid and table == "cadre":
        cadre_uuid = record_uuid
    return (at, user, action, table, record_uuid or "", cadre_uuid or "",
            auditchain.printable(summary)[:200], text)


def _stamp() -> str:
    return now().strftime("%Y-%m-%d %H:%M:%S")


@exempt("writes the audit row of a use case that checked its own permission")
def record(action: str, table: str, record_uuid: str, summary: str = "",
           changes: dict[str, Any] | None = None, cadre_uuid: str = "") -> None:
    database.ensure_checked()   # nothing is written to a database that failed its open-time check
    with db.atomic():
        auditchain.append(db.connection(), [_row(action, table, record_uuid, summary, changes, cadre_uuid,
                                                 _stamp(), current_user())])


@exempt("writes the audit rows of a use case that checked its own permission")
def record_many(rows: Iterable[tuple]) -> None:
    """Several rows at once (imports, batch printing): (action, table, record_uuid,
    summary, changes[, cadre_uuid])."""
    at, user = _stamp(), current_user()
    built = []
    for r in rows:
        action, table, record_uuid, summary, changes, *rest = r
        built.append(_row(action, table, record_uuid, summary, changes, rest[0] if rest else "", at, user))
    if built:
        database.ensure_checked()
        with db.atomic():
            auditchain.append(db.connection(), built)


@requires("roster.read")
def history(record_uuid: str) -> list[tuple]:
    """(at, user, action, summary, changes-dict) for one record, newest first."""
    rows = (AuditLog.select().where(AuditLog.record_uuid == record_uuid)
            .order_by(AuditLog.id.desc()))
    return [(r.at, r.user, r.action, r.summary, _loads(r.changes)) for r in rows]


def _loads(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- the chain

@requires("audit.read")
def verify(progress=None, check=None) -> auditchain.ChainReport:
    """Walk the whole chain (``python main.py audit verify`` and the 审计日志 page)."""
    return auditchain.verify(db.connection(), progress, check)


@exempt("start-up check: tells only whether the chain holds and where it breaks")
def startup_check(progress=None, check=None) -> auditchain.ChainReport:
    """The same walk, run in the background at start-up; the 工作台 shows a broken chain
    to everyone (no audit content is returned)."""
    return auditchain.verify(db.connection(), progress, check)


# ---------------------------------------------------------------- the 审计日志 page

@dataclass(frozen=True)
class AuditFilter:
    start: date | None = None
    end: date | None = None
    user: str = ""          # login name (matches the start of "login（name）")
    action: str = ""
    cadre: str = ""         # a cadre's uuid, or text found in the summary
    descending: bool = True
    sort: str = "id"


_SORTS = {"id": '"id"', "at": '"at"', "user": '"user"', "action": '"action"', "table": '"table"',
          "summary": '"summary"'}


def _where(f: AuditFilter) -> tuple[str, list]:
    parts, params = [], []
    if f.start:
        parts.append('"at" >= ?')
        params.append(f"{f.start.isoformat()} 00:00:00")
    if f.end:
        parts.append('"at" <= ?')
        params.append(f"{f.end.isoformat()} 23:59:59")
    if f.user:
        parts.append('("user" = ? OR "user" LIKE ?)')
        params += [f.user, f"{f.user}（%"]
    if f.action:
        parts.append('"action" = ?')
        params.append(f.action)
    if f.cadre:
        parts.append('("cadre_uuid" = ? OR "record_uuid" = ? OR instr("summary", ?) > 0)')
        params += [f.cadre, f.cadre, f.cadre]
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


@requires("audit.read")
def count(f: AuditFilter) -> int:
    where, params = _where(f)
    return db.execute_sql(f'SELECT count(*) FROM "audit_log"{where}', params).fetchone()[0]


@requires("audit.read")
def page(f: AuditFilter, offset: int = 0, limit: int = 200) -> list[tuple]:
    """Rows (id, at, user, action, table, record_uuid, summary, changes) for the page."""
    where, params = _where(f)
    order = _SORTS.get(f.sort, '"id"')
    direction = "DESC" if f.descending else "ASC"
    sql = (f'SELECT "id", "at", "user", "action", "table", "record_uuid", "summary", "changes" '
           f'FROM "audit_log"{where} ORDER BY {order} {direction}, "id" {direction} LIMIT ? OFFSET ?')
    return db.execute_sql(sql, params + [limit, offset]).fetchall()


@requires("audit.read")
def users() -> list[str]:
    """Distinct "who" values (login names first part), for the filter drop-down."""
    rows = db.execute_sql('SELECT DISTINCT "user" FROM "audit_log" ORDER BY "user"').fetchall()
    return [r[0] for r in rows]


@exempt("labels")
def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action)
