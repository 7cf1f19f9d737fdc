"""Production settings come from the environment and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys


def _environment(env: dict[str, str], tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    base.update(ZHIGAI_VAR_DIR=str(tmp_path), **env)
    return base


def _zhigai(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "zhigai.cli", *args], env=_environment(env, tmp_path), capture_output=True, text=True,
        timeout=120,
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


def _settings_with(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    code = ("import zhigai.config.settings as s; "
            "print(s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold'))")
    return subprocess.run([sys.executable, "-c", code], env=_environment(env, tmp_path), capture_output=True,
                          text=True, timeout=60)


def test_a_number_setting_that_is_not_a_number_stops_the_start_naming_it(tmp_path):
    for name, value in (("LOGIN_FAILURE_LIMIT", "five"), ("DB_CONN_MAX_AGE", "-1"), ("SECURE_HSTS_SECONDS", "1e6")):
        result = _settings_with({name: value}, tmp_path)
        assert result.returncode != 0
        assert f"{name} must be a whole number (0 or more), not '{value}'" in result.stderr


def test_prepared_statements_threshold_on_postgresql(tmp_path):
    pg = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}  # settings only: nothing connects
    assert _settings_with(pg, tmp_path).stdout.strip() == "2"
    assert _settings_with({**pg, "DB_PREPARE_THRESHOLD": "10"}, tmp_path).stdout.strip() == "10"
    assert _settings_with({**pg, "DB_PREPARE_THRESHOLD": "off"}, tmp_path).stdout.strip() == "None"
    bad = _settings_with({**pg, "DB_PREPARE_THRESHOLD": "sometimes"}, tmp_path)
    assert bad.returncode != 0 and "DB_PREPARE_THRESHOLD must be a whole number (0 or more) or off" in bad.stderr
    assert _settings_with({}, tmp_path).stdout.strip() == "None"  # SQLite: no such option
