"""``python main.py import <roster|leave|health|allowance|welfare> FILE.xlsx [--dry-run]``.

Prints the same report as the import wizard's preview (counts, each change,
each problem as 第N行 X列（字段）：原因), imports the valid rows in one
transaction unless ``--dry-run``, and exits 1 when any row was refused,
2 when the file or its columns cannot be used, 0 otherwise.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

KIND_NAMES = {"roster": "干部名册", "leave": "休假记录", "health": "体检记录", "allowance": "津贴补贴发放",
              "welfare": "慰问记录"}


def add_commands(sub) -> None:
    kinds = "，".join(f"{k}={v}" for k, v in KIND_NAMES.items())
    p = sub.add_parser("import", help="从 Excel（.xlsx）导入干部名册或休假、体检、津贴补贴、慰问记录",
                       description=f"从 Excel（.xlsx）导入。类型：{kinds}。有问题的行不导入并逐条列出；"
                                   "其余各行在一个事务中全部导入。有任何行未导入时退出码为 1。")
    p.add_argument("kind", choices=list(KIND_NAMES), help="导入类型：" + kinds)
    p.add_argument("file", type=Path, help="Excel 文件（.xlsx）")
    p.add_argument("--sheet", help="工作表名称（默认：第一个能识别出表头的工作表）")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出问题，不写入数据库")
    p.add_argument("--problems", type=Path, help="把问题清单另存为 .xlsx（发给报送人修改）")
    p.add_argument("--data-dir", type=Path, dest="sub_data_dir", help="数据目录（默认：本机用户数据目录）")
    p.set_defaults(func=cmd_import)


def _pick_sheet(path: Path, kind: str, wanted: str | None) -> tuple[str, object]:
    from . import importer
    from ..domain.errors import DomainError

    names = importer.sheet_names(path)
    if wanted:
        if wanted not in names:
            raise DomainError("sheet_missing", f"工作簿中没有名为「{wanted}」的工作表（有：{'、'.join(names)}）", "sheet")
        return wanted, importer.detect(path, wanted, kind)
    best = None
    for name in names:
        mapping = importer.detect(path, name, kind)
        if best is None or len(mapping.columns) > len(best[1].columns):
            best = (name, mapping)
    assert best is not None
    return best


def cmd_import(args: argparse.Namespace) -> int:
    from ..app import open_store, seed_rule_tables
    from ..cli import resolve_paths
    from ..domain.errors import DomainError
    from . import importer

    path: Path = args.file
    try:
        sheet, mapping = _pick_sheet(path, args.kind, args.sheet)
        if not mapping.columns:
            print(f"错误：在「{path.name}」中没有找到{KIND_NAMES[args.kind]}的表头。"
                  f"请使用导入模板，或让表头包含「{'」「'.join(f.label for f in importer.fields(args.kind) if f.required)}」等列名。",
                  file=sys.stderr)
            return 2
        paths = resolve_paths(args)
        open_store(paths)
        seed_rule_tables()
        pre = importer.preview(path, sheet, args.kind, mapping)
    except DomainError as err:
        print(f"错误：{err.message}", file=sys.stderr)
        return 2
    texts = importer.headers(path, sheet, mapping.header_row)
    labels = {f.key: f.label for f in importer.fields(args.kind)}
    for line in importer.report_lines(pre):
        print(line)
    print("列的对应：" + "；".join(f"{labels[k]} ← {texts[c] or '（无表头）'}"
                                for k, c in sorted(mapping.columns.items(), key=lambda kv: kv[1])))
    if args.problems and pre.problems:
        importer.save_problems(pre, args.problems)
        print(f"问题清单已保存：{args.problems}")
    if args.dry_run:
        print("仅检查（--dry-run）：没有写入数据库。")
    elif pre.valid_count:
        try:
            result = importer.run_import(pre)
        except DomainError as err:
            print(f"错误：{err.message}", file=sys.stderr)
            return 2
        if args.kind == "roster":
            print(f"已导入：新增 {result.created} 名，更新 {result.updated} 名。")
        else:
            print(f"已导入：新增 {result.created} 条。")
    else:
        print("没有可导入的行，数据库未作改动。")
    return 1 if pre.refused_count else 0
