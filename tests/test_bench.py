"""The benchmark command runs end to end on a tiny database and reports every
figure (timings are printed, never asserted: budgets live in `main.py bench`)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_reports_every_figure(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "XDG_RUNTIME_DIR": str(tmp_path), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "bench", "--cadres", "60", "--years", "2"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for figure in ["启动到窗口显示", "名册首页显示", "边输边搜", "峰值内存", "年休假余额", "体检应检/逾期名单", "异常随访名单",
                   "生成一个月津贴补贴", "工作台汇总", "批量打印 60 份关爱档案", "分人打印 60 份关爱档案",
                   "导出 60 行名册", "备份 60 人数据库", "每日自动备份（完整检查）", "导入 200 行干部名册",
                   "生成报送包（60 名干部", "接收 20 个报送包（1,200 名干部）", "县级汇总（20 个乡镇）",
                   "汇总页显示（20 个乡镇，表格和图表）", "审计日志校验（10,000 行）"]:
        assert figure in out.stdout
    assert "下限" in out.stdout
    # the temporary database is removed afterwards
    assert not list(Path(tmp_path).glob("carecenter-bench-*"))


def test_bench_compares_the_encrypted_store_with_a_plain_one(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "XDG_RUNTIME_DIR": str(tmp_path), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "bench", "--cadres", "40", "--years", "1",
                          "--compare"], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "生成基准数据库（明文）" in out.stdout and "生成基准数据库（加密）" in out.stdout
    assert "【加密存储】" in out.stdout and "加密 / 明文" in out.stdout
    assert "打开数据库（解开密钥+首次查询）" in out.stdout and "其中解开密钥（scrypt）" in out.stdout
    # the ratio table leaves out what only the encrypted store has (the key unwrap)
    table = out.stdout.split("加密 / 明文", 1)[1]
    assert "打开数据库（不含解开密钥）" in table and "解开密钥（scrypt）" not in table
    assert not list(Path(tmp_path).glob("carecenter-bench-*"))
