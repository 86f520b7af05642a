"""`villagedesk township …` and `villagedesk package …` as a township and a village type them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keys_export_and_import_through_the_command_line(demo_db_path: Path, db_path: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    town, village = str(db_path), str(demo_db_path)
    code, out, _ = _run(capsys, "--db", town, "township", "init", "--name", "城关街道", "--kind", "街道")
    assert code == 0 and "已建立街道：城关街道" in out
    code, _, err = _run(capsys, "--db", village, "package", "export", "-o", str(tmp_path / "x.vdpkg"))
    assert code == 1 and "本村还没有安装上报密钥" in err
    code, out, _ = _run(capsys, "--db", town, "township", "keys", "--village", "东坟村", "--district", "第一片区",
                        "-o", str(tmp_path / "keys"))
    assert code == 0 and "已为东坟村签发上报密钥" in out
    code, out, _ = _run(capsys, "--db", town, "township", "keys", "--list")
    assert code == 0 and "东坟村（第一片区）" in out and "有效" in out
    code, out, _ = _run(capsys, "--db", village, "package", "key", str(tmp_path / "keys" / "东坟村.vdkey"))
    assert code == 0 and "已安装上报密钥" in out
    code, out, _ = _run(capsys, "--db", village, "package", "key")
    assert code == 0 and "已安装上报密钥：编号 " in out and "，颁发于 " in out and "（城关街道）。" in out
    package = tmp_path / "东坟村-2026-11.vdpkg"
    code, out, _ = _run(capsys, "--db", village, "package", "export", "-o", str(package), "--as-of", "2026-11-30")
    assert code == 0 and "数据截至 2026-11-30" in out and package.exists()
    bad = tmp_path / "bad.vdpkg"
    bad.write_bytes(b"not a package")
    code, out, err = _run(capsys, "--db", town, "package", "import", str(package), str(bad))
    assert code == 1  # one refused
    assert "东坟村-2026-11.vdpkg：已导入——东坟村，数据截至 2026-11-30" in out
    assert "bad.vdpkg：未导入——bad.vdpkg 不是有效的上报数据包" in err and "1 个未导入" in out
    code, out, _ = _run(capsys, "--db", town, "package", "import", str(package))
    assert code == 0 and "未变化（已导入过）" in out
    code, out, _ = _run(capsys, "--db", town, "township", "packages")
    assert code == 0 and "东坟村  数据截至 2026-11-30（当前）" in out
    key_id = out.split("密钥 ")[1].split()[0]
    code, out, _ = _run(capsys, "--db", town, "township", "revoke", key_id, "--note", "电脑丢失")
    assert code == 0 and "已作废" in out
    code, _, err = _run(capsys, "--db", town, "township", "keys")
    assert code == 2 and "--village" in err
