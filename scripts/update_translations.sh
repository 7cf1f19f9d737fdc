#!/usr/bin/env bash
# Regenerate and compile the English translation catalog.
#
# The source strings of the UI are Simplified Chinese (gettext msgids in .py files and
# {% translate %} / {% blocktranslate %} in templates); only English needs a catalog:
#   src/zhigai/locale/en/LC_MESSAGES/django.po  (edited by hand)
#   src/zhigai/locale/en/LC_MESSAGES/django.mo  (compiled, committed; Django reads this one)
#
# Run it whenever you add, change or remove a translatable string, then:
#   1. translate every entry of django.po whose msgstr is empty, and check entries that
#      makemessages marked "#, fuzzy" (it guessed from a similar old string): fix the msgstr
#      and delete the fuzzy flag;
#   2. run this script again so django.mo matches django.po;
#   3. run  .venv/bin/pytest tests/core/test_i18n.py  (fails on empty, fuzzy or stale entries).
#
# Needs GNU gettext (msgfmt, msgmerge, xgettext) on PATH.
# Usage: scripts/update_translations.sh [--compile-only]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DJANGO_ADMIN="$ROOT/.venv/bin/django-admin"
export DJANGO_SETTINGS_MODULE=zhigai.config.settings
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"

cd "$ROOT/src/zhigai"
if [[ "${1:-}" != "--compile-only" ]]; then
    "$DJANGO_ADMIN" makemessages -l en --no-location --ignore 'migrations/*'
fi
"$DJANGO_ADMIN" compilemessages

PO="$ROOT/src/zhigai/locale/en/LC_MESSAGES/django.po"
msgfmt --check --statistics -o /dev/null "$PO"
if grep -q '^#, .*fuzzy' "$PO"; then
    echo "warning: $PO has fuzzy entries; review them and remove the fuzzy flag" >&2
fi
