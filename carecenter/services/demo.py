"""Synthetic demo data: realistic units, cadres and family members.

Everything here is invented for demonstration (the window title says so); the
ID numbers are valid by the GB 11643 checksum but belong to nobody.  Fast
enough for the benchmark's 50,000 cadres: one transaction, bulk inserts.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..db import queries
from ..db.bulk import bulk_insert
from ..db.database import db
from ..db.models import Cadre, Unit, new_uuid, now
from ..domain import idcard, pinyin
from . import audit, choices
from ..security import access
from ..security.access import exempt
from . import accounts

TOWNSHIPS = [
    # (name, category, hardship area class, county region code)
    ("青岭镇", "镇", "无", "330328"),
    ("云溪乡", "乡", "二类", "330329"),
    ("石桥镇", "镇", "无", "330381"),
    ("城东街道", "街道", "无", "330304"),
]
UNIT_TEMPLATES = [
    ("{t}党委", "党委"), ("{t}人民政府", "政府"), ("{t}人大主席团", "人大"), ("{t}纪委", "纪委监委"),
    ("{t}农业农村服务中心", "站所"), ("{t}社会事务综合服务中心", "站所"), ("{t}综合行政执法队", "站所"),
    ("{t}财政所", "站所"), ("{t}文化站", "站所"), ("{t}便民服务中心", "事业单位"),
]
STREET_TEMPLATES = [("{t}党工委", "党委"), ("{t}办事处", "政府"), ("{t}社区服务中心", "事业单位")]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
            "魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
            "钱严覃武戴莫孔汤单解仇查区缪盖乐")
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌立新海峰东晨"
GIVEN_F = "芳娜敏静丽艳娟霞秀英慧巧美淑惠珠翠雅芝玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹倩婷"
POSTS = {
    "党委": ["党委书记", "党委副书记", "党委委员", "组织委员", "宣传委员", "党政办主任", "党建办干部"],
    "政府": ["镇长", "副镇长", "乡长", "副乡长", "党政办科员", "经济发展办主任", "平安办干部"],
    "人大": ["人大主席", "人大副主席", "人大办干部"],
    "纪委监委": ["纪委书记", "纪委副书记", "纪检干部"],
    "站所": ["站长", "副站长", "所长", "副所长", "科员", "执法队员"],
    "事业单位": ["主任", "副主任", "工作人员"],
}
LEADER_POSTS = {"党委书记": "乡科级正职", "镇长": "乡科级正职", "乡长": "乡科级正职", "人大主席": "乡科级正职",
                "党委副书记": "乡科级副职", "副镇长": "乡科级副职", "副乡长": "乡科级副职",
                "纪委书记": "乡科级副职", "人大副主席": "乡科级副职", "组织委员": "乡科级副职",
                "宣传委员": "乡科级副职"}
RANK_BY_SERVICE = [(0, "二级科员"), (2, "一级科员"), (5, "四级主任科员"), (10, "三级主任科员"),
                   (15, "二级主任科员"), (20, "一级主任科员"), (26, "四级调研员")]
ENFORCE_RANKS = [(0, "二级行政执法员"), (2, "一级行政执法员"), (5, "四级主办"), (10, "三级主办"), (18, "二级主办")]
PLACES = ["浙江温州", "浙江丽水", "浙江台州", "浙江杭州", "浙江金华", "江西上饶", "福建宁德", "安徽安庆"]


@dataclass
class DemoSummary:
    units: int
    cadres: int
    family: int


def _pick_rank(table, years: int) -> str:
    rank = table[0][1]
    for threshold, name in table:
        if years >= threshold:
            rank = name
    return rank


def _id_number(rng: random.Random, region: str, birth: date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(1, 500) * 2 + (1 if male else 0)
        body = f"{region}{birth:%Y%m%d}{seq:03d}"[:17]
        number = body + idcard.check_digit(body)
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random, male: bool) -> str:
    pool = GIVEN_M if male else GIVEN_F
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "137", "135", "158", "159", "188", "189", "133", "177"]) + f"{rng.randrange(10**8):08d}"


@exempt('demo/benchmark data generation (system actor)')
def generate(cadres: int = 120, seed: int = 20261125, today: date | None = None) -> DemoSummary:
    """Fill an empty, migrated database with demo data (one transaction)."""
    rng = random.Random(seed)
    today = today or date.today()
    choices.seed_if_empty()
    if Cadre.select().exists() or Unit.select().exists():
        raise RuntimeError("演示数据只能写入空数据库")
    stamp = now()
    with db.atomic():
        unit_rows = []
        for town, cat, hardship, region in TOWNSHIPS:
            templates = STREET_TEMPLATES if cat == "街道" else UNIT_TEMPLATES
            for tmpl, kind in templates:
                unit_rows.append({"uuid": new_uuid(), "created_at": stamp, "updated_at": stamp,
                                  "name": tmpl.format(t=town), "kind": kind, "township": town,
                                  "township_category": cat, "hardship_area_class": hardship})
        Unit.insert_many(unit_rows).execute()
        units = list(Unit.select().order_by(Unit.id))
        region_of = {t[0]: t[3] for t in TOWNSHIPS}
        weights = [4 if u.kind in ("政府", "党委") else 2 for u in units]
        used: set[str] = set()
        initials_cache: dict[str, str] = {}
        cadre_rows = []
        for _ in range(cadres):
            unit = rng.choices(units, weights)[0]
            male = rng.random() < 0.62
            age = rng.choices(range(22, 61), [3 if a < 36 else 2 if a < 50 else 1 for a in range(22, 61)])[0]
            birth = date(today.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.5:
                birth = birth - timedelta(days=rng.randrange(0, 200))
            name = _name(rng, male)
            if name not in initials_cache:
                initials_cache[name] = (pinyin.initials_key(name), pinyin.sort_key(name))
            work_start = date(birth.year + rng.choice([19, 21, 22, 22, 23, 24, 25]), rng.choice([7, 8, 9, 12]), 1)
            if work_start > today:
                work_start = date(today.year - 1, 8, 1)
            service = (today - work_start).days // 365
            township_start = work_start if rng.random() < 0.6 else min(
                today, date(work_start.year + rng.randrange(0, max(1, service) + 1), rng.randrange(1, 13), 1))
            enforce = unit.kind == "站所" and rng.random() < 0.4
            category = "行政执法类" if enforce else rng.choices(
                ["综合管理类", "专业技术类"], [9, 1])[0]
            personnel = ("公务员" if unit.kind in ("党委", "政府", "人大", "纪委监委")
                         else rng.choices(["参照公务员法管理", "事业人员", "工勤"], [3, 6, 1])[0])
            post = rng.choice(POSTS[unit.kind])
            if post in LEADER_POSTS and age < 32:  # leadership posts go to experienced cadres
                post = POSTS[unit.kind][-1]
            status = rng.choices(["在职", "借调", "挂职", "驻村", "调离", "退休"], [86, 3, 2, 5, 2, 2])[0]
            if age >= 60:
                status = "退休"
            elif status == "退休" and age < 55:   # no 25-year-old retirees in a well-kept roster
                status = "在职"
            married = age > 27 and rng.random() < 0.9
            cadre_rows.append({
                "uuid": new_uuid(), "created_at": stamp, "updated_at": stamp,
                "name": name, "name_initials": initials_cache[name][0], "name_sort": initials_cache[name][1],
                "sex": "男" if male else "女",
                "ethnicity": rng.choices(["汉族", "畲族", "回族", "苗族"], [95, 3, 1, 1])[0],
                "id_number": _id_number(rng, region_of[unit.township], birth, male, used),
                "birth_date": birth, "native_place": rng.choice(PLACES),
                "political_status": rng.choices(["中共党员", "中共预备党员", "共青团员", "群众", "民盟盟员", "九三学社社员"],
                                                [70, 4, 10, 12, 2, 2])[0],
                "education_fulltime": rng.choices(["大专", "本科", "硕士研究生", "高中"], [15, 65, 15, 5])[0],
                "degree_fulltime": "", "education_inservice": rng.choice(["", "", "本科", "硕士研究生"]),
                "degree_inservice": "", "marital_status": "已婚" if married else "未婚",
                "only_child": rng.random() < 0.25, "phone": _phone(rng),
                "emergency_contact": _name(rng, not male), "emergency_phone": _phone(rng),
                "unit": unit.id, "post": post, "leadership_level": LEADER_POSTS.get(post, "无"),
                "rank": _pick_rank(ENFORCE_RANKS if enforce else RANK_BY_SERVICE, service)
                if personnel in ("公务员", "参照公务员法管理") else "无",
                "pay_grade": max(1, min(27, 26 - service // 2)),
                "personnel_status": personnel, "position_category": category,
                "employment_status": status, "work_start_date": work_start,
                "township_start_date": township_start,
                "current_post_date": min(today, date(max(work_start.year, today.year - rng.randrange(0, 8)),
                                                     rng.randrange(1, 13), 1)),
                "party_join_date": None, "notes": "",
            })
            row = cadre_rows[-1]
            if row["political_status"] in ("中共党员",):
                row["party_join_date"] = date(birth.year + rng.randrange(20, max(21, min(age, 35))),
                                              rng.randrange(1, 13), 1)
                if row["party_join_date"] > today:
                    row["party_join_date"] = None
            if row["current_post_date"] < work_start:
                row["current_post_date"] = work_start
            if row["township_start_date"] < work_start:  # same year, earlier month
                row["township_start_date"] = work_start
        for row in cadre_rows:
            row["unit_id"] = row.pop("unit")
        bulk_insert("cadre", cadre_rows)
        family_rows = _family(rng, today, stamp)
        bulk_insert("family_member", family_rows)
        audit.record("create", "demo", "demo", f"生成演示数据：{len(units)} 个单位，{cadres} 名干部")
    queries.invalidate_units()
    return DemoSummary(len(units), cadres, len(family_rows))


def _family(rng: random.Random, today: date, stamp) -> list[dict]:
    rows = []
    q = Cadre.select(Cadre.id, Cadre.name, Cadre.sex, Cadre.birth_date, Cadre.marital_status).tuples()
    for cid, name, sex, birth, marital in q:
        surname = name[0]
        if marital == "已婚":
            rows.append(dict(cadre_id=cid, name=_name(rng, sex == "女"), relation="配偶",
                             birth_date=birth + timedelta(days=rng.randrange(-900, 900)),
                             lives_with=rng.random() < 0.8, residence=rng.choice(PLACES), phone=_phone(rng)))
            if rng.random() < 0.8:
                child_birth = date(min(today.year - 1, birth.year + rng.randrange(25, 36)),
                                   rng.randrange(1, 13), rng.randrange(1, 29))
                if child_birth < today:
                    rows.append(dict(cadre_id=cid, name=surname + rng.choice(GIVEN_M + GIVEN_F), relation="子女",
                                     birth_date=child_birth, lives_with=True, residence="", phone=""))
        parents_apart = rng.random() < 0.45
        if rng.random() < 0.85:
            rows.append(dict(cadre_id=cid, name=surname + rng.choice(GIVEN_M), relation="父亲",
                             birth_date=date(birth.year - rng.randrange(24, 32), rng.randrange(1, 13), 1),
                             lives_with=not parents_apart, residence=rng.choice(PLACES), phone=_phone(rng)))
        if rng.random() < 0.9:
            rows.append(dict(cadre_id=cid, name=rng.choice(SURNAMES) + rng.choice(GIVEN_F), relation="母亲",
                             birth_date=date(birth.year - rng.randrange(22, 30), rng.randrange(1, 13), 1),
                             lives_with=not parents_apart, residence=rng.choice(PLACES), phone=_phone(rng)))
    for r in rows:
        r.update(uuid=new_uuid(), created_at=stamp, updated_at=stamp, work_unit="")
    return rows


@exempt('demo/benchmark data generation (system actor)')
def build(cadres: int = 120, seed: int = 20261125, history_years: int = 4,
          today: date | None = None) -> dict[str, int]:
    """A complete demo database: roster plus several years of leave and health history.

    Leave and health rules use the Zhejiang preset (the seed article is from Wenzhou).
    The data is written by the program itself (the 系统 actor, named so in the audit),
    and the database gets one account per preset role with the documented demo
    password (``accounts.DEMO_ACCOUNTS``).
    """
    with access.acting_as(access.system_actor("演示数据生成")):
        counts = _build(cadres, seed, history_years, today)
        accounts.create_demo_accounts()
    return counts


def _build(cadres: int, seed: int, history_years: int, today: date | None) -> dict[str, int]:
    from . import demo_care, health, leave

    for service in (leave, health):
        if not service.seed_rules_if_empty("zhejiang") and service.current_preset() != "zhejiang":
            service.replace_with_preset("zhejiang")
    summary = generate(cadres, seed=seed, today=today)
    counts = {"units": summary.units, "cadres": summary.cadres, "family": summary.family}
    if history_years > 0:
        counts.update(demo_care.generate_history(history_years, seed=seed, today=today))
        from . import welfare
        counts.update(welfare.generate_demo_history(history_years, seed=seed, today=today))
        from . import allowance
        counts.update(allowance.generate_demo_months(today=today, seed=seed))
    return counts
