"""The columns each import understands: canonical labels, header synonyms as
counties write them, and how a header text is matched to a field.

Header texts are compared after normalising: full-width → half-width (NFKC),
no spaces, no required-marks (``*``), no brackets (their content is kept for a
first try, dropped for a second: ``身份证号码(18位)`` → ``身份证号码``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS: dict[str, str] = {"roster": "干部名册", "leave": "休假记录", "health": "体检记录",
                         "allowance": "津贴补贴发放", "welfare": "慰问记录"}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]
    #: how the cell is read: text, name, id, date, month, choice, unit, int, money, bool, half, days
    type: str = "text"
    #: one line for the template's 说明 sheet
    hint: str = ""


def _f(key: str, label: str, synonyms: str = "", *, required: bool = False, type: str = "text",
       hint: str = "") -> Field:
    return Field(key, label, required, tuple(s for s in synonyms.split() if s), type, hint)


_DATE_HINT = "日期，如 2024-03-15、2024.3.15、20240315 或 Excel 日期"
_MONTH_HINT = "年月或日期，如 1985.03、1985年3月、198503、1985-03-01"
_ID_HINT = "18 位身份证号（最后一位可为 X）；请把此列设为「文本」格式，以免 Excel 把它变成科学计数法"
_CADRE_HINT = "身份证号与姓名至少填一项；名册中有同名干部时必须填身份证号"

_ID = ("身份证号 身份证号码 公民身份号码 公民身份证号码 公民身份证号 身份证 居民身份证号码 居民身份证号 "
       "身份证件号码 证件号码 身份号码")
_NAME = "姓名 干部姓名 名字 人员姓名 职工姓名 慰问对象 体检人 请假人"

ROSTER: list[Field] = [
    _f("name", "姓名", _NAME, required=True, type="name"),
    _f("id_number", "身份证号", _ID, required=True, type="id", hint=_ID_HINT + "。与名册中已有干部相同时更新该干部，不会重复新增"),
    _f("sex", "性别", "性别 性 别", type="choice", hint="男 / 女；不填时按身份证号"),
    _f("ethnicity", "民族", "民族 族别", type="choice"),
    _f("birth_date", "出生日期", "出生日期 出生年月 出生年月日 出生时间 生日", type="date",
       hint="不填时按身份证号；" + _DATE_HINT),
    _f("native_place", "籍贯", "籍贯 出生地 籍贯出生地"),
    _f("political_status", "政治面貌", "政治面貌 政治面目 党派", type="choice"),
    _f("party_join_date", "入党时间", "入党时间 入党日期 入党年月 入党时间年月", type="month", hint=_MONTH_HINT),
    _f("education_fulltime", "全日制学历", "全日制学历 全日制教育学历 学历全日制 全日制教育 学历全日制教育 "
       "全日制最高学历 最高学历 学历 文化程度", type="choice"),
    _f("degree_fulltime", "全日制学位", "全日制学位 全日制教育学位 学位全日制 学位全日制教育 学位", type="choice"),
    _f("education_inservice", "在职学历", "在职学历 在职教育学历 学历在职 在职教育 学历在职教育 在职最高学历",
       type="choice"),
    _f("degree_inservice", "在职学位", "在职学位 在职教育学位 学位在职 学位在职教育", type="choice"),
    _f("marital_status", "婚姻状况", "婚姻状况 婚姻状态 婚否 婚姻", type="choice"),
    _f("only_child", "独生子女", "独生子女 是否独生子女", type="bool", hint="是 / 否"),
    _f("phone", "联系电话", "联系电话 手机 手机号 手机号码 电话 电话号码 联系方式 本人电话", type="phone"),
    _f("emergency_contact", "紧急联系人", "紧急联系人 紧急联系人姓名", type="name"),
    _f("emergency_phone", "紧急联系电话", "紧急联系电话 紧急联系人电话 紧急联系方式", type="phone"),
    _f("unit", "单位", "单位 工作单位 所在单位 单位名称 现工作单位 现单位 所属单位 现任职单位", required=True,
       type="unit", hint="须与「单位管理」中的单位名称一致；新单位请先在「单位管理」中添加"),
    _f("post", "职务", "职务 现任职务 现职务 职务名称 现任职务名称 岗位"),
    _f("leadership_level", "领导职务层次", "领导职务层次 职务层次 领导职务 职务级别", type="choice"),
    _f("rank", "职级", "职级 现职级 现任职级", type="choice"),
    _f("pay_grade", "级别", "级别 工资级别 现级别", type="int", hint="1 至 27 的整数"),
    _f("personnel_status", "人员身份", "人员身份 身份 人员类别 人员性质", type="choice"),
    _f("position_category", "职位类别", "职位类别 职位分类", type="choice"),
    _f("employment_status", "在职状态", "在职状态 人员状态 状态 在岗状态 任职状态", type="choice",
       hint="不填时新增的干部按「在职」登记"),
    _f("work_start_date", "参加工作时间", "参加工作时间 参加工作日期 参加工作年月 参加工作时间年月 工作时间",
       type="month", hint=_MONTH_HINT),
    _f("township_start_date", "到乡镇工作时间", "到乡镇工作时间 到乡镇工作日期 乡镇工作时间 进入乡镇工作时间 "
       "到乡镇时间 在乡镇工作起始时间", type="month", hint=_MONTH_HINT),
    _f("current_post_date", "任现职时间", "任现职时间 任现职务时间 任现职日期 任职时间 任现职年月 任现职级时间",
       type="month", hint=_MONTH_HINT),
    _f("notes", "备注", "备注 说明"),
]

_CADRE_FIELDS = [
    _f("id_number", "身份证号", _ID, type="id", hint=_ID_HINT + "；" + _CADRE_HINT),
    _f("name", "姓名", _NAME, type="name", hint="与身份证号对应的干部姓名须一致；" + _CADRE_HINT),
]

LEAVE: list[Field] = _CADRE_FIELDS + [
    _f("type", "假别", "假别 请假类型 休假类型 假期类型 请假类别 休假类别 假期种类 休假种类 请假种类 类别 假期",
       required=True, type="leave_type"),
    _f("start_date", "开始日期", "开始日期 起始日期 开始时间 起始时间 请假开始日期 休假开始日期 请假开始时间 "
       "休假开始时间 起日期 起", required=True, type="date", hint=_DATE_HINT),
    _f("end_date", "结束日期", "结束日期 截止日期 结束时间 截止时间 请假结束日期 休假结束日期 请假结束时间 "
       "休假结束时间 止日期 止", required=True, type="date", hint=_DATE_HINT),
    _f("start_half", "开始时段", "开始时段 开始半天 起始时段", type="half",
       hint="上午 / 下午；填「下午」表示从下午开始（半天）"),
    _f("end_half", "结束时段", "结束时段 结束半天 截止时段", type="half",
       hint="上午 / 下午；填「上午」表示到中午结束（半天）"),
    _f("days", "天数", "天数 请假天数 休假天数 实休天数 假期天数", type="days",
       hint="可不填；填写时须与程序按假别规则算出的天数一致"),
    _f("travel_days", "路程假天数", "路程假天数 路程假 路途天数 路程天数", type="days"),
    _f("reason", "事由", "事由 请假事由 请假原因 休假事由 原因"),
    _f("approver", "审批人", "审批人 批准人 审批领导"),
    _f("status", "状态", "状态 审批状态 请假状态", type="choice", hint="申请 / 已批准 / 已销假 / 已撤销；不填为已批准"),
    _f("over_balance_reason", "超出说明", "超出说明 超出原因 超假说明"),
    _f("notes", "备注", "备注 说明"),
]

HEALTH: list[Field] = _CADRE_FIELDS + [
    _f("check_date", "体检日期", "体检日期 体检时间 检查日期 检查时间", required=True, type="date", hint=_DATE_HINT),
    _f("package", "体检项目", "体检项目 体检类别 体检套餐 体检类型 体检种类", type="text",
       hint="如 常规体检、两癌筛查；不填时按「常规体检」登记"),
    _f("institution", "体检机构", "体检机构 体检医院 体检单位 检查机构 检查医院 医院"),
    _f("items", "检查项目及结果", "检查项目及结果 检查结果 体检结果 主要结果 检查项目"),
    _f("conclusion", "总体结论", "总体结论 体检结论 结论 总检结论 总检意见"),
    _f("finding_item", "异常项目", "异常项目 异常指标 异常情况 异常结果", hint="有异常时填写，如 血压、肺部CT"),
    _f("finding_level", "异常分级", "异常分级 分级 异常等级 风险分级 异常类别", type="choice",
       hint="A（需立即临床处置）/ B（需进一步检查或治疗）；填写了异常项目时必填"),
    _f("finding_description", "异常描述", "异常描述 异常说明 异常详情"),
    _f("recheck_due", "复查日期", "复查日期 复查时间 应复查日期", type="date", hint=_DATE_HINT),
    _f("notes", "备注", "备注 说明"),
]

ALLOWANCE: list[Field] = _CADRE_FIELDS + [
    _f("month", "发放月份", "发放月份 月份 所属月份 发放年月 年月 发放时间 所属期", required=True, type="month",
       hint="如 2024.03、2024年3月、202403"),
    _f("scheme", "津贴项目", "津贴项目 项目 津贴补贴项目 补贴项目 发放项目 津贴类别 补贴类别", type="choice",
       hint="艰苦边远地区津贴 / 乡镇工作补贴；与「金额」配合使用"),
    _f("amount", "金额", "金额 发放金额 应发金额 实发金额 金额元", type="money", hint="元，如 500 或 500.00"),
    _f("hardship", "艰苦边远地区津贴", "艰苦边远地区津贴 艰边津贴 艰苦边远津贴 艰苦边远地区津贴元", type="money",
       hint="元；一行同时登记两项时使用（代替「津贴项目」「金额」）"),
    _f("township", "乡镇工作补贴", "乡镇工作补贴 乡镇补贴 乡镇工作补贴元", type="money",
       hint="元；一行同时登记两项时使用（代替「津贴项目」「金额」）"),
    _f("band", "档次", "档次 职务档次 补贴档次 津贴档次"),
    _f("area_class", "类区", "类区 艰苦边远地区类别 地区类别"),
    _f("basis", "发放依据", "发放依据 依据 计发依据 备注 说明"),
]

WELFARE: list[Field] = _CADRE_FIELDS + [
    _f("occasion", "慰问事由", "慰问事由 事由 慰问类别 慰问类型 慰问项目 慰问原因", required=True, type="choice"),
    _f("record_date", "慰问日期", "慰问日期 日期 慰问时间 走访日期 走访慰问日期 走访时间", required=True, type="date",
       hint=_DATE_HINT),
    _f("money", "慰问金", "慰问金 慰问金额 慰问金元 金额 现金 慰问金额元", type="money", hint="元"),
    _f("goods", "慰问品", "慰问品 慰问物品 物品"),
    _f("goods_value", "物品价值", "物品价值 慰问品价值 物品金额 物品价值元 慰问品金额", type="money", hint="元"),
    _f("funding_source", "经费来源", "经费来源 经费渠道 资金来源 经费", type="text"),
    _f("visitors", "走访人", "走访人 慰问人 走访领导 慰问领导 走访人员"),
    _f("episode", "同一事项", "同一事项 事项", hint="同一次生病住院等多次慰问时填写相同内容，以便合计上限"),
    _f("over_reason", "超出说明", "超出说明 超出原因"),
    _f("notes", "备注", "备注 说明"),
]

FIELDS: dict[str, list[Field]] = {"roster": ROSTER, "leave": LEAVE, "health": HEALTH, "allowance": ALLOWANCE,
                                  "welfare": WELFARE}

# ------------------------------------------------------------ header matching

_BRACKETS = re.compile(r"[\(\[（【〔<《][^\)\]）】〕>》]*[\)\]）】〕>》]")
_DROP = str.maketrans("", "", "*＊★☆:：、/\\|-_.·()（）[]【】〔〕<>《》\"'“”‘’")


def norm_header(text: str) -> str:
    """Compare form of a header text: NFKC, no spaces, no marks or brackets."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if not ch.isspace())
    text = text.replace("(必填)", "").replace("必填", "").replace("(选填)", "").replace("选填", "")
    return text.translate(_DROP)


def header_candidates(text: str) -> list[str]:
    """Compare forms to try in order: the whole text, then without bracketed notes."""
    out = [norm_header(text)]
    stripped = norm_header(_BRACKETS.sub("", unicodedata.normalize("NFKC", text or "")))
    if stripped and stripped not in out:
        out.append(stripped)
    return [c for c in out if c]


_INDEX: dict[str, dict[str, str]] = {}


def synonym_index(kind: str) -> dict[str, str]:
    """{normalised synonym: field key} for a kind (labels included)."""
    if kind not in _INDEX:
        index: dict[str, str] = {}
        for f in FIELDS[kind]:
            for s in (f.label, *f.synonyms):
                index.setdefault(norm_header(s), f.key)
        _INDEX[kind] = index
    return _INDEX[kind]


def match_header(texts: list[str], kind: str) -> str | None:
    """The field a header means, trying each text form in order (combined group
    header first, the cell's own text next), or None."""
    index = synonym_index(kind)
    for text in texts:
        for cand in header_candidates(text):
            key = index.get(cand)
            if key:
                return key
    return None


# ------------------------------------------------------------ value aliases

#: values written differently in county sheets → the pick-list value
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男性": "男", "女性": "女", "M": "男", "F": "女"},
    "political_status": {"党员": "中共党员", "共产党员": "中共党员", "中国共产党党员": "中共党员",
                         "预备党员": "中共预备党员", "中共预备": "中共预备党员", "团员": "共青团员",
                         "无党派": "无党派人士", "中共": "中共党员"},
    "education": {"大学本科": "本科", "本科生": "本科", "大学": "本科", "大学专科": "大专", "专科": "大专",
                  "硕士": "硕士研究生", "研究生": "硕士研究生", "博士": "博士研究生", "中等专科": "中专",
                  "中技": "中专", "职高": "高中", "技校": "中专"},
    "degree": {"学士学位": "学士", "硕士学位": "硕士", "博士学位": "博士"},
    "marital_status": {"离婚": "离异", "已婚已育": "已婚", "初婚": "已婚", "再婚": "已婚", "未婚未育": "未婚"},
    "employment_status": {"在岗": "在职", "在编": "在职", "退休人员": "退休"},
    "leadership_level": {"正科": "乡科级正职", "副科": "乡科级副职", "正科级": "乡科级正职", "副科级": "乡科级副职",
                         "乡科级正职领导": "乡科级正职", "乡科级副职领导": "乡科级副职"},
    "personnel_status": {"参公": "参照公务员法管理", "参照管理": "参照公务员法管理", "事业编": "事业人员",
                         "事业编制": "事业人员", "工勤人员": "工勤", "行政编": "公务员", "行政编制": "公务员"},
    "position_category": {"综合管理": "综合管理类", "行政执法": "行政执法类", "专业技术": "专业技术类"},
}

TRUE_WORDS = frozenset({"是", "1", "Y", "YES", "TRUE", "√", "✓", "✔", "对", "有"})
FALSE_WORDS = frozenset({"否", "0", "N", "NO", "FALSE", "×", "✗", "不是", "无", "非"})
