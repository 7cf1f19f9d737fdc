"""Production settings come from the environment and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys


def _zhigai(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    base.update(ZHIGAI_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "zhigai.cli", *args], env=base, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = _zhigai(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SECRET_KEY": "x" * 60 + "production-secret-key-from-the-vault",
            "ALLOWED_HOSTS": "zhigai.example.gov.cn",
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_HSTS_SECONDS": "31536000",
            "SESSION_COOKIE_SECURE": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    result = _zhigai("serve", env={}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_import_command_reports_errors_with_row_and_column_and_exit_code(tmp_path):
    seeded = _zhigai("load-reference", env={}, tmp_path=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    user = _zhigai(
        "manage",
        "shell",
        "-c",
        "from zhigai.core.models import User; User.objects.create_user('officer', role='province')",
        env={},
        tmp_path=tmp_path,
    )
    assert user.returncode == 0, user.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,name,region,industry\n91330102MA27XYZ12X,测试企业,330102,34\n", encoding="utf-8")
    result = _zhigai("import", str(bad), "--user", "officer", env={}, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "row 2, column uscc" in result.stdout
    assert "nothing was written" in result.stderr
