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
    p.add_argument("--max-size", type=int, metavar="MB",
                   help="文件大小上限（MB，默认 50）：更大的文件不打开就拒绝")
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


def _check_problems_target(out: Path) -> Path:
    """The problem list's file: .xlsx, in a folder that exists and can be written — checked
    before the work, so a typo does not cost a long preview."""
    import os

    from ..cli_args import UsageError, check_out_suffix
    from ..services.values import path_text

    out = check_out_suffix(out, ".xlsx", "问题清单")
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UsageError(f"--problems「{path_text(out)}」是一个文件夹，请写上文件名，例如 --problems 问题清单.xlsx")
    if not folder.is_dir():
        raise UsageError(f"--problems 要保存到的文件夹「{path_text(folder)}」不存在，请先建好文件夹或换一个位置。没有导入任何数据")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"文件夹「{path_text(folder)}」不允许写入，无法保存问题清单；请用 --problems 另选一个位置。"
                         "没有导入任何数据")
    return out


def cmd_import(args: argparse.Namespace) -> int:
    from ..db.database import check_before_open
    from ..domain.errors import DomainError
    from ..services.values import path_text
    from . import importer, xlsx_reader

    open_store, seed_rule_tables = args.root.open_store, args.root.seed_rule_tables
    resolve_paths = args.root.resolve_paths

    path: Path = args.file
    if args.max_size is not None:
        if args.max_size < 1:
            print("错误：--max-size 应为正整数（MB），如 --max-size 100", file=sys.stderr)
            return 2
        xlsx_reader.set_max_file_mb(args.max_size)
    problems_out = _check_problems_target(args.problems) if args.problems else None
    paths = resolve_paths(args)
    if paths.database.exists():
        check_before_open(paths.database)
    try:
        sheet, mapping = _pick_sheet(path, args.kind, args.sheet)
        if not mapping.columns:
            print(f"错误：在「{xlsx_reader.display_name(path)}」中没有找到{KIND_NAMES[args.kind]}的表头。"
                  f"请使用导入模板，或让表头包含「{'」「'.join(f.label for f in importer.fields(args.kind) if f.required)}」等列名。",
                  file=sys.stderr)
            return 2
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
    if problems_out is not None and pre.problems:
        try:
            importer.save_problems(pre, problems_out)
        except OSError as err:
            print(f"错误：无法保存问题清单到「{path_text(problems_out)}」（{err.strerror or err}），请用 --problems "
                  "另选一个位置。没有导入任何数据", file=sys.stderr)
            return 2
        print(f"问题清单已保存：{path_text(problems_out)}")
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
